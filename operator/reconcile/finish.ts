import type { Reconciliation } from './context.js';
import { isActive, overstaySeconds } from './group.js';
import { configMapName, finalizer, serviceName } from './naming.js';
import { buildPurgePod, purgeUri } from './objects.js';

// What happens around the end of a job: marking it finished, cleaning its pods (cleanPodPolicy), deleting it
// after ttlSecondsAfterFinished, and the finalizer's work when it is deleted (ADR 0037 for the run-data purge).

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

/**
 * A job being deleted: delete its pods, ConfigMap and Service and, when asked, its S3 run prefix (through the
 * purge pod, purgeRunData); then let it go.
 */
export function finalizeDeletion(r: Reconciliation, purgeTimeoutSeconds: number): void {
  const { job, observed, now, graceSeconds } = r;
  if (!job.metadata.finalizers?.includes(finalizer)) return;
  for (const pod of observed.pods) {
    const terminating = pod.deletionTimestamp !== undefined;
    // A terminating pod is on its way out, unless its node is lost: then only a forced delete removes it.
    if (!terminating) r.deletePod(pod, 'job deleted');
    else if (overstaySeconds(pod, now) > graceSeconds) r.deletePod(pod, 'job deleted; node lost', true);
  }
  // Owner references would let the garbage collector remove these too, but a cluster without one (or a GC
  // that lags) must not be left with them: the finalizer does the work itself.
  if (observed.configMap) r.actions.push({ type: 'DeleteConfigMap', name: configMapName(job.metadata.name) });
  if (observed.service) r.actions.push({ type: 'DeleteService', name: serviceName(job.metadata.name) });
  if (job.spec.runPolicy.deleteRunDataOnDelete) {
    if (!purgeRunData(r, purgeTimeoutSeconds)) return;
  } else if (observed.purgePod && observed.purgePod.deletionTimestamp === undefined) {
    // Purging was called off (the way out of a failed purge): its pod goes, the data stays.
    r.actions.push({
      type: 'DeletePurgePod',
      name: observed.purgePod.name,
      uri: purgeUri(job),
      purged: false,
    });
  }
  r.actions.push({ type: 'RemoveFinalizer', finalizer });
}

/**
 * Deletes the run prefix through the purge pod (the job's own credentials, ADR 0037); true once it succeeded.
 * It starts only when every worker pod is gone, since a worker that is still stopping may write a last
 * checkpoint. A purge pod that fails, or has not finished after `timeoutSeconds`, holds the job with
 * RunDataPurged=False saying why and the two ways out: retry (delete the failed pod: a new one is created) or
 * keep the data (turn deleteRunDataOnDelete off: the job goes at once).
 */
function purgeRunData(r: Reconciliation, timeoutSeconds: number): boolean {
  const { job, observed, now } = r;
  const uri = purgeUri(job);
  if (observed.pods.length > 0) return false;
  const pod = observed.purgePod;
  if (pod === undefined) {
    r.actions.push({ type: 'CreatePurgePod', pod: buildPurgePod(job), uri });
    r.wakeIn(timeoutSeconds);
    return false;
  }
  // Being deleted (someone retries): a new one is created once it is gone, which wakes the job.
  if (pod.deletionTimestamp !== undefined) return false;
  if (pod.phase === 'Succeeded') {
    r.actions.push({ type: 'DeletePurgePod', name: pod.name, uri, purged: true });
    return true;
  }
  const namespace = job.metadata.namespace ?? 'default';
  const wayOut =
    `retry: kubectl delete pod ${pod.name} -n ${namespace}; or keep the data and let the job go: ` +
    `kubectl patch bacljob ${job.metadata.name} -n ${namespace} --type merge ` +
    `-p '{"spec":{"runPolicy":{"deleteRunDataOnDelete":false}}}'`;
  const why = pod.reason === undefined ? '' : ` (${pod.reason})`;
  if (pod.phase === 'Failed') {
    r.condition(
      'RunDataPurged',
      'False',
      'PurgeFailed',
      `purge pod ${pod.name} failed to delete ${uri}${why}; its log says why: kubectl logs ${pod.name} -n ${namespace}; ${wayOut}`,
    );
    return false;
  }
  const waited = (now.getTime() - Date.parse(pod.createdAt)) / 1000;
  if (waited >= timeoutSeconds) {
    r.condition(
      'RunDataPurged',
      'False',
      'PurgeTimedOut',
      `purge pod ${pod.name} has not deleted ${uri} after ${Math.floor(waited)}s: it is ${pod.phase}${why}; ${wayOut}`,
    );
    return false;
  }
  r.wakeIn(timeoutSeconds - waited);
  return false;
}
