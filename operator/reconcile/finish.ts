import type { Reconciliation } from './context.js';
import { isActive, overstaySeconds } from './group.js';
import { configMapName, finalizer, runPrefix, serviceName } from './naming.js';
import type { Action, Observed } from './types.js';
import type { BaclJob } from '../../common/index.js';

// What happens around the end of a job: marking it finished, cleaning its pods (cleanPodPolicy), deleting it
// after ttlSecondsAfterFinished, and the finalizer's work when it is deleted.

export function fail(r: Reconciliation, reason: string, message: string): void {
  r.condition('Failed', 'True', reason, message);
}

/** A terminal job: never restarted; only pod clean-up and the TTL remain. Idempotent on every reconcile. */
export function settleFinished(r: Reconciliation): void {
  const { status, now, job } = r;
  const failed = status.conditions?.some((c) => c.type === 'Failed' && c.status === 'True') ?? false;
  const outcome = failed ? 'JobFailed' : 'JobSucceeded';
  // Every in-progress condition that exists says the job ended, so none keeps a stale "restarting ..." message.
  for (const type of ['Running', 'Restarting', 'Suspended'] as const) {
    if (status.conditions?.some((c) => c.type === type))
      r.condition(type, 'False', outcome, 'the job finished');
  }
  status.completionTime ??= now.toISOString();
  cleanPods(r);
  const ttl = job.spec.runPolicy.ttlSecondsAfterFinished;
  if (ttl === undefined) return;
  const remaining = (Date.parse(status.completionTime) + ttl * 1000 - now.getTime()) / 1000;
  if (remaining <= 0) r.actions.push({ type: 'DeleteJob', reason: `ttlSecondsAfterFinished=${ttl} passed` });
  else r.wakeIn(remaining);
}

function cleanPods(r: Reconciliation): void {
  const policy = r.job.spec.runPolicy.cleanPodPolicy;
  if (policy === 'None') return;
  for (const pod of r.observed.pods) {
    if (pod.deletionTimestamp !== undefined) {
      // A pod on a lost node never confirms its deletion: force it, or it is left behind forever.
      if (isActive(pod) && overstaySeconds(pod, r.now) > r.graceSeconds) r.deletePod(pod, 'node lost', true);
      continue;
    }
    if (policy === 'All' || isActive(pod)) r.deletePod(pod, `job finished (cleanPodPolicy ${policy})`);
  }
}

/** A job being deleted: delete its pods, ConfigMap, Service and, when asked, its S3 run prefix; then let it go. */
export function finalizeDeletion(
  job: BaclJob,
  observed: Observed,
  now: Date,
  graceSeconds: number,
): Action[] {
  if (!job.metadata.finalizers?.includes(finalizer)) return [];
  const actions: Action[] = [];
  for (const pod of observed.pods) {
    const terminating = pod.deletionTimestamp !== undefined;
    // A terminating pod is on its way out, unless its node is lost: then only a forced delete removes it.
    if (!terminating)
      actions.push({ type: 'DeletePod', name: pod.name, reason: 'job deleted', force: false });
    else if (overstaySeconds(pod, now) > graceSeconds) {
      actions.push({ type: 'DeletePod', name: pod.name, reason: 'job deleted; node lost', force: true });
    }
  }
  // Owner references would let the garbage collector remove these too, but a cluster without one (or a GC
  // that lags) must not be left with them: the finalizer does the work itself.
  if (observed.configMap) actions.push({ type: 'DeleteConfigMap', name: configMapName(job.metadata.name) });
  if (observed.service) actions.push({ type: 'DeleteService', name: serviceName(job.metadata.name) });
  if (job.spec.runPolicy.deleteRunDataOnDelete)
    actions.push({ type: 'DeleteRunData', uri: `${runPrefix(job)}/` });
  actions.push({ type: 'RemoveFinalizer', finalizer });
  return actions;
}
