import { jobStagesOf, type BaclJob, type JobStage } from '../../common/index.js';

// Names of everything the operator creates for a job, and the stages it runs. Pod names and the pod labels
// (common/api: podLabels, shared with the CLI) are the contract with the runner's informers (which pods belong
// to which group) and with users (`kubectl logs -l ...`).

export const finalizer = 'bacl.dev/cleanup';

const stageShort: Record<JobStage, string> = {
  representation: 'rep',
  classifier: 'cls',
  baseline: 'base',
  evaluate: 'eval',
};

/** `<job>-<rep|cls|base|eval>-<attempt>-<nodeRank>`: at most 61 characters for a 40-character job name. */
export function podName(job: string, stage: JobStage, attempt: number, nodeRank: number): string {
  return `${job}-${stageShort[stage]}-${attempt}-${nodeRank}`;
}

/** `<job>-purge`: the pod that deletes the job's run prefix on deletion (runPolicy.deleteRunDataOnDelete). */
export const purgePodName = (job: string): string => `${job}-purge`;

export const configMapName = (job: string): string => `${job}-config`;
/** The headless Service has the job's name, so ranks resolve `<pod>.<job>.<namespace>.svc`. */
export const serviceName = (job: string): string => job;

/** `<s3.uri>/runs/<namespace>/<job>/<uid>`: checkpoints, detections and metrics of this job (S3 layout). */
export function runPrefix(job: BaclJob): string {
  const root = job.spec.s3.uri.replace(/\/+$/, '');
  return `${root}/runs/${job.metadata.namespace ?? 'default'}/${job.metadata.name}/${job.metadata.uid ?? ''}`;
}

/**
 * Worker pods a stage runs: one per node, the evaluate stage too (each rank infers a disjoint share of the val
 * split, ADR 0029).
 */
export function desiredPods(job: BaclJob): number {
  return job.spec.nodes;
}

/** The stages this job runs, in order: its config's training stages, then evaluate (common/api/stages.ts). */
export function stagesOf(job: BaclJob): JobStage[] {
  return jobStagesOf(job.spec.config.stages);
}
