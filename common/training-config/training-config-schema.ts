// The typed training config: what `configs/*.yaml` resolve to, validated by one zod schema that the CLI,
// the operator and the worker all use. A BACL run is stages [representation, classifier]; a baseline run is
// [baseline] (spec 1.1); common/api/stages.ts holds the list and says how a job's stages follow from it.
import { z } from 'zod';
import { trainingStagesSchema } from '../api/index.js';
import { dataSchema } from './data-schema.js';
import { lossesSchema } from './losses-schema.js';
import { modelSchema } from './model-schema.js';
import { scheduleSchema } from './schedule-schema.js';

export const evaluationSchema = z
  .object({
    interval: z.number().int().positive().default(1).describe('evaluate every this many epochs (spec 1.4)'),
    metric: z.literal('bbox').default('bbox'),
    max_dets: z.number().int().positive().default(300).describe('LVIS max detections per image (spec 5)'),
  })
  .describe('LVIS box AP after training (and every interval)');

export const distributedSchema = z
  .object({
    gradient_wire: z
      .enum(['fp32', 'bf16'])
      .default('fp32')
      .describe(
        'how gradients travel in the all-reduce: fp32 (exact sums) or bf16 (half the bytes, fp32 ' +
          'accumulation, relative error about 2^-7; worker/collective/bf16.ts)',
      ),
  })
  .describe('data-parallel training across ranks');

interface SynthCheckInput {
  data: { dataset: string; synth?: { categories: number } | undefined };
  model: { roi_head: { num_classes: number } };
}

/** A synth config names its recipe, and the recipe's category count is the classifier's (ADR 0024). */
function checkSynthData(config: SynthCheckInput, ctx: z.RefinementCtx): void {
  const { dataset, synth } = config.data;
  if (dataset === 'synth' && synth === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'synth'],
      message:
        "dataset 'synth' needs data.synth (categories, train_images, val_images, ...): the generator's recipe",
    });
  }
  if (dataset !== 'synth' && synth !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'synth'],
      message: `data.synth is only for dataset 'synth', not '${dataset}'; remove it`,
    });
  }
  const numClasses = config.model.roi_head.num_classes;
  if (synth !== undefined && synth.categories !== numClasses) {
    ctx.addIssue({
      code: 'custom',
      path: ['model', 'roi_head', 'num_classes'],
      message:
        `${numClasses} classes, but data.synth.categories generates ${synth.categories}; ` +
        'set both to the same number',
    });
  }
}

/**
 * How often a run checkpoints (issue #13 point 3, ADR 0024): the recipe's cadence. `baclctl run` uses it as
 * is; a BaclJob's `spec.checkpoint` (common/api/spec.ts, same defaults, a test keeps them equal) is what the
 * operator hands the ranks, filled from here by whoever builds the job.
 */
export const checkpointConfigSchema = z
  .object({
    every_steps: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('rank 0 checkpoints every this many optimizer steps, and at the end of each stage'),
    keep_last: z.number().int().positive().default(3).describe('checkpoints kept per stage (keepLast)'),
  })
  .describe('checkpoint cadence of a run');

export const trainingConfigSchema = z
  .object({
    stages: trainingStagesSchema.describe(
      'run in order: [representation, classifier] for BACL, [baseline] for the softmax baseline',
    ),
    seed: z.number().int().min(0).default(0).describe('every random draw of the run derives from it'),
    model: modelSchema,
    losses: lossesSchema.prefault({}),
    data: dataSchema,
    schedule: scheduleSchema,
    evaluation: evaluationSchema.prefault({}),
    distributed: distributedSchema.prefault({}),
    checkpoint: checkpointConfigSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    config.stages.forEach((stage, index) => {
      if (config.schedule[stage] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['schedule', stage],
          message: `stage '${stage}' (stages[${index}]) needs a schedule`,
        });
      }
    });
    checkSynthData(config, ctx);
    const depth = config.model.backbone.depth;
    for (const key of ['stem_channels', 'planes', 'blocks'] as const) {
      if (depth !== 'tiny' && config.model.backbone[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['model', 'backbone', key],
          message: `only the tiny backbone takes ${key}; depth ${depth} fixes it`,
        });
      }
    }
  })
  .describe('a BACL (or baseline) training run');

export type TrainingConfig = z.output<typeof trainingConfigSchema>;
