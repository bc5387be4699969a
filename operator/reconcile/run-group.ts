import { isTrue } from './conditions.js';
import type { Reconciliation } from './context.js';
import { countWorkers, isActive, missingRanks, overstaySeconds } from './group.js';
import { desiredPods, stagesOf } from './naming.js';
import { buildWorkerPod } from './objects.js';
import type { ObservedPod } from './types.js';

// Brings the current group (the pods of the current stage and attempt) into being: pods of earlier groups are
// stopped first, then every missing rank gets its pod. Reports the group in status.workers and the Running
// condition.

export function reconcileGroup(r: Reconciliation, group: ObservedPod[]): void {
  const { job, status } = r;
  const stage = status.stage ?? stagesOf(job)[0]!;
  const attempt = status.attempt ?? 0;
  const desired = desiredPods(job);
  const blocking = stopEarlierGroups(r, group);
  if (blocking.length === 0) {
    for (const nodeRank of missingRanks(group, desired)) {
      r.actions.push({
        type: 'CreatePod',
        pod: buildWorkerPod(job, { stage, attempt, nodeRank, natsSecret: r.natsSecret }),
      });
    }
  }
  // A pod of this group that is terminating fails the group once it overstays the grace period: wake up then.
  for (const pod of group) {
    const overstay = overstaySeconds(pod, r.now);
    if (pod.deletionTimestamp !== undefined && isActive(pod) && overstay <= r.graceSeconds) {
      r.wakeIn(r.graceSeconds - overstay);
    }
  }
  status.workers = countWorkers(group, desired);
  reportRunning(r, group, desired, blocking);
}

/**
 * Deletes the still-active pods of earlier groups and returns those the new group must wait for: a new group
 * never runs beside an old one (GPUs, and a rank 0 that still writes checkpoints). A pod terminating past the
 * grace period is on a lost node: it is force-deleted and no longer waited for, so a job is never stuck on it.
 */
function stopEarlierGroups(r: Reconciliation, group: ObservedPod[]): ObservedPod[] {
  const blocking: ObservedPod[] = [];
  for (const pod of r.observed.pods) {
    if (group.includes(pod) || !isActive(pod)) continue;
    if (pod.deletionTimestamp === undefined) {
      r.deletePod(pod, `superseded by attempt ${r.status.attempt} of stage ${r.status.stage}`);
      blocking.push(pod);
      continue;
    }
    const overstay = overstaySeconds(pod, r.now);
    if (overstay > r.graceSeconds) {
      r.deletePod(pod, 'terminating past the grace period: node lost', true);
    } else {
      blocking.push(pod);
      r.wakeIn(r.graceSeconds - overstay);
    }
  }
  return blocking;
}

function reportRunning(
  r: Reconciliation,
  group: ObservedPod[],
  desired: number,
  blocking: ObservedPod[],
): void {
  const { status } = r;
  const up =
    missingRanks(group, desired).length === 0 &&
    group.some((pod) => pod.phase === 'Running') &&
    group.every((pod) => pod.phase === 'Succeeded' || (pod.phase === 'Running' && pod.ready));
  if (up) {
    r.condition(
      'Running',
      'True',
      'WorkersRunning',
      `stage ${status.stage}: ${desired} worker pod(s) running (attempt ${status.attempt})`,
    );
    r.clear('Restarting', 'GroupRecovered', `attempt ${status.attempt} is running`);
    return;
  }
  const waiting = waitingFor(group, desired, blocking);
  // Once running, a job stays Running through stage changes; before that (or while restarting) it is Pending.
  if (isTrue(status, 'Running'))
    r.condition('Running', 'True', 'StageStarting', `stage ${status.stage}: ${waiting}`);
  else if (!isTrue(status, 'Restarting')) r.condition('Running', 'False', 'WorkersPending', waiting);
}

/** "waiting for rep-0-1 (Pending: Unschedulable: 0/4 nodes ...), node rank 2 (not created yet)". */
function waitingFor(group: ObservedPod[], desired: number, blocking: ObservedPod[]): string {
  if (blocking.length > 0) {
    return `waiting for ${blocking.length} pod(s) of an earlier group to stop: ${blocking.map((pod) => pod.name).join(', ')}`;
  }
  const pending = group
    .filter((pod) => pod.phase !== 'Succeeded' && !(pod.phase === 'Running' && pod.ready))
    .map((pod) => `${pod.name} (${pod.phase}${pod.reason ? `: ${pod.reason}` : ''})`);
  const missing = missingRanks(group, desired).map((rank) => `node rank ${rank} (being created)`);
  return `waiting for ${[...pending, ...missing].join(', ')}`;
}
