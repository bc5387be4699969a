import { z } from 'zod';
import { withCel } from './cel.js';

// The one list of stages. A training config names its training stages in `config.stages`, in the order they
// run: [representation, classifier] for BACL (decoupled training: features first, then the classifier on the
// frozen features), [baseline] for the softmax baseline (spec 1.1). A BaclJob runs exactly those stages, in
// that order, one worker pod per node each, and then `evaluate` (one pod): its stages are
// `[...config.stages, 'evaluate']` (jobStagesOf). `jobStages` is every stage a job can be in, for the status
// schema, the pod labels and `baclctl logs --stage`.

/** The stages a training config may list (`config.stages`). */
export const trainingStages = ['representation', 'classifier', 'baseline'] as const;
export type TrainingStageName = (typeof trainingStages)[number];

/** Every stage a job can be in: the training stages, then evaluation. */
export const jobStages = [...trainingStages, 'evaluate'] as const;
export type JobStage = (typeof jobStages)[number];

/**
 * What a job whose config names no stages runs: BACL's two stages, as the operator always did. `baclctl
 * submit` always embeds the config's stages; this covers a hand-written job.
 */
export const defaultTrainingStages: readonly TrainingStageName[] = ['representation', 'classifier'];

const uniqueStagesMessage = `stages must not repeat a stage: each of ${trainingStages.join(', ')} runs at most once`;

/** `config.stages`: at least one training stage, none twice (a job's pods are named by stage and attempt). */
export const trainingStagesSchema = withCel(
  z.array(z.enum(trainingStages)).min(1).max(trainingStages.length),
  { rule: 'self.all(stage, self.exists_one(other, other == stage))', message: uniqueStagesMessage },
  (stages) => new Set(stages).size === stages.length,
);

/** The stages a job runs, in order: the config's training stages, then `evaluate`. */
export function jobStagesOf(stages: readonly TrainingStageName[] | undefined): JobStage[] {
  return [...(stages ?? defaultTrainingStages), 'evaluate'];
}
