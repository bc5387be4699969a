import { ExitCode, type JobStage, type Workers } from '../../common/index.js';
import type { ObservedPod } from './types.js';

// The pods of one stage and attempt (a "group") and what they say: counts for status, the first failure, and
// which ranks still need a pod.

export interface GroupFailure {
  reason: 'WorkerFailed' | 'WorkerLost' | 'NodeLost' | 'LossDiverged';
  message: string;
  /**
   * Whether restarting the group from its last checkpoint can help: a crash, a lost pod or node can; a diverged
   * loss cannot (the same config from the same checkpoint diverges again), so the job fails at once.
   */
  retryable: boolean;
}

export const isActive = (pod: ObservedPod): boolean =>
  pod.phase === 'Pending' || pod.phase === 'Running' || pod.phase === 'Unknown';

/** Seconds a terminating pod has overstayed its deletion deadline (negative while within it). */
export function overstaySeconds(pod: ObservedPod, now: Date): number {
  if (pod.deletionTimestamp === undefined) return Number.NEGATIVE_INFINITY;
  return (now.getTime() - Date.parse(pod.deletionTimestamp)) / 1000;
}

export function groupPods(pods: ObservedPod[], stage: JobStage, attempt: number): ObservedPod[] {
  return pods
    .filter((pod) => pod.stage === stage && pod.attempt === attempt)
    .sort((a, b) => a.nodeRank - b.nodeRank);
}

export function countWorkers(group: ObservedPod[], desired: number): Workers {
  const ready = group.filter((pod) => pod.ready && pod.phase === 'Running').length;
  return {
    desired,
    ready,
    active: group.filter((pod) => isActive(pod) && pod.deletionTimestamp === undefined).length,
    succeeded: group.filter((pod) => pod.phase === 'Succeeded').length,
    failed: group.filter((pod) => pod.phase === 'Failed').length,
    summary: `${ready}/${desired}`,
  };
}

/**
 * Why the group cannot go on, if it cannot: a pod failed, a pod stayed Terminating past the grace period (its
 * node is gone), or a rank's pod disappeared after the group had started. A pod that is merely missing while
 * the rest of the group is still Pending is not a failure: it is (re)created, which also covers a cache that
 * has not seen a just-created pod yet.
 */
export function groupFailure(
  group: ObservedPod[],
  desired: number,
  now: Date,
  graceSeconds: number,
): GroupFailure | undefined {
  // A diverged rank first: its peers may fail too (a lost peer), but the divergence is the cause.
  const diverged = group.find((pod) => pod.phase === 'Failed' && pod.exitCode === ExitCode.diverged);
  if (diverged) {
    return {
      reason: 'LossDiverged',
      message:
        `worker pod ${diverged.name} (node rank ${diverged.nodeRank}) stopped with LossDiverged (exit ${ExitCode.diverged}): ` +
        'the training loss became NaN or infinite and the step was not applied; restarting from the last checkpoint ' +
        'would diverge again. Try this: lower the learning rate (or lengthen the warmup) and resubmit; ' +
        'the pod log names the stage, step and loss term',
      retryable: false,
    };
  }
  const failed = group.find((pod) => pod.phase === 'Failed');
  if (failed) {
    return {
      reason: 'WorkerFailed',
      message: `worker pod ${failed.name} (node rank ${failed.nodeRank}) failed${failed.reason ? `: ${failed.reason}` : ''}`,
      retryable: true,
    };
  }
  const stuck = group.find((pod) => isActive(pod) && overstaySeconds(pod, now) > graceSeconds);
  if (stuck) {
    return {
      reason: 'NodeLost',
      message: `worker pod ${stuck.name} (node rank ${stuck.nodeRank}) has been terminating for over ${graceSeconds}s past its deadline; its node is taken for lost`,
      retryable: true,
    };
  }
  const started = group.some((pod) => pod.phase !== 'Pending');
  const missing = missingRanks(group, desired);
  if (started && missing.length > 0) {
    return {
      reason: 'WorkerLost',
      message: `the pod of node rank ${missing.join(', ')} disappeared while the group was running`,
      retryable: true,
    };
  }
  return undefined;
}

export function missingRanks(group: ObservedPod[], desired: number): number[] {
  const present = new Set(group.map((pod) => pod.nodeRank));
  return Array.from({ length: desired }, (_, rank) => rank).filter((rank) => !present.has(rank));
}
