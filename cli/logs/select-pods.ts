import type { V1Pod } from '@kubernetes/client-node';
import { jobStages, podLabels, type BaclJob, type JobStage } from '../../common/index.js';
import { cliError } from '../errors.js';

export interface LogSelection {
  /** Default: the job's current stage, else the latest stage that has pods. */
  stage?: JobStage;
  /** A global rank (RANK): its pod is node rank floor(R / gpusPerNode). Default 0. */
  rank?: number;
  /** Every pod of the group instead of one rank's. */
  all: boolean;
}

/**
 * Which worker pods `logs` reads: the current group (the highest attempt) of the chosen stage, then the pod
 * hosting the chosen rank, or all of them. A pod runs one rank per GPU (the launcher forks them), so a rank's
 * lines are in its node's pod; the pods are sorted by node rank.
 */
export function selectLogPods(job: BaclJob, pods: readonly V1Pod[], selection: LogSelection): V1Pod[] {
  const name = job.metadata.name;
  const label = (pod: V1Pod, key: string) => pod.metadata?.labels?.[key] ?? '';
  const stage = selection.stage ?? job.status?.stage ?? latestStage(pods);
  const ofStage = pods.filter((pod) => label(pod, podLabels.stage) === stage);
  if (stage === undefined || ofStage.length === 0) {
    throw cliError(`bacljob ${name} has no worker pods${stage ? ` for stage ${stage}` : ''} yet`, {
      code: 'NO_LOGS',
      tryThis: `baclctl describe ${name} shows its state and events`,
    });
  }
  const attempt = Math.max(...ofStage.map((pod) => Number(label(pod, podLabels.attempt))));
  const group = ofStage
    .filter((pod) => Number(label(pod, podLabels.attempt)) === attempt)
    .sort((a, b) => Number(label(a, podLabels.nodeRank)) - Number(label(b, podLabels.nodeRank)));
  if (selection.all) return group;
  const rank = selection.rank ?? 0;
  const nodeRank = stage === 'evaluate' ? 0 : Math.floor(rank / Math.max(job.spec.gpusPerNode, 1));
  const pod = group.find((candidate) => Number(label(candidate, podLabels.nodeRank)) === nodeRank);
  if (!pod) {
    throw cliError(`no pod runs rank ${rank} of bacljob ${name} (stage ${stage}, attempt ${attempt})`, {
      code: 'NOT_FOUND',
      tryThis: `ranks 0-${job.spec.nodes * Math.max(job.spec.gpusPerNode, 1) - 1} exist; --all reads every pod`,
    });
  }
  return [pod];
}

function latestStage(pods: readonly V1Pod[]): JobStage | undefined {
  const present = new Set(pods.map((pod) => pod.metadata?.labels?.[podLabels.stage]));
  return [...jobStages].reverse().find((stage) => present.has(stage));
}
