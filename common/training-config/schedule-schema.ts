// Optimiser and learning-rate schedule per training stage (spec 1.3, 1.4, 1.5): SGD with momentum and weight
// decay, linear warmup from warmup_ratio x lr, step decay by gamma at the given epochs (or iterations).
import { z } from 'zod';

const positiveInt = z.number().int().positive();

export const stageScheduleSchema = z
  .object({
    epochs: positiveInt.optional().describe('length in epochs (mmdet EpochBasedRunner)'),
    iterations: positiveInt.optional().describe('length in iterations; set this or epochs'),
    lr: z.number().positive().describe('lr for a total batch of base_batch_size images (spec: 0.02 for 16)'),
    base_batch_size: positiveInt
      .default(16)
      .describe(
        'the total batch `lr` is tuned for; a run with another total batch (ranks x samples_per_gpu) trains ' +
          'at lr x total / base_batch_size (the linear scaling rule, mmdet auto_scale_lr)',
      ),
    momentum: z.number().min(0).max(1).default(0.9),
    weight_decay: z.number().min(0).describe('spec: 5e-5 in stage 1, 1e-4 in stage 2 and the baseline'),
    warmup_iters: z.number().int().min(0).default(500).describe('linear warmup length; 0 for none'),
    warmup_ratio: z.number().positive().max(1).default(0.001).describe('warmup starts at this x lr'),
    lr_steps: z
      .array(positiveInt)
      .default([])
      .describe('epochs (or iterations with `iterations`) after which lr is multiplied by gamma'),
    gamma: z.number().positive().default(0.1),
  })
  .refine((s) => (s.epochs === undefined) !== (s.iterations === undefined), {
    message: 'set exactly one of epochs and iterations',
  })
  .superRefine((s, ctx) => {
    // A step past the stage's end never lowers the lr: almost always a schedule copied from a longer
    // run (e.g. [16, 22] of a 24-epoch recipe onto 12 epochs), which would train at the peak lr throughout.
    const [length, unit] = s.epochs !== undefined ? [s.epochs, 'epochs'] : [s.iterations, 'iterations'];
    if (length === undefined) return;
    s.lr_steps.forEach((step, index) => {
      if (step > length) {
        ctx.addIssue({
          code: 'custom',
          path: ['lr_steps', index],
          message:
            `step ${step} is past the end of the stage (${length} ${unit}), so the lr would never ` +
            `decay there: use steps up to ${length}, or lengthen the stage`,
        });
      }
    });
  })
  .describe('SGD schedule of one stage');

export type StageSchedule = z.output<typeof stageScheduleSchema>;

export const scheduleSchema = z
  .object({
    representation: stageScheduleSchema.optional().describe('BACL stage 1 (spec 1.3)'),
    classifier: stageScheduleSchema.optional().describe('BACL stage 2 (spec 1.4)'),
    baseline: stageScheduleSchema.optional().describe('softmax-CE baseline (spec 1.5)'),
  })
  .describe('per stage; a stage listed in `stages` must have one');

export type ScheduleConfig = z.output<typeof scheduleSchema>;

/**
 * The linear scaling rule (Goyal et al. 2017; mmdet auto_scale_lr): the stage's schedule with
 * lr' = lr x globalBatch / base_batch_size, globalBatch = ranks x samples_per_gpu. Everything else unchanged.
 */
export function scaledSchedule(schedule: StageSchedule, globalBatch: number): StageSchedule {
  return { ...schedule, lr: (schedule.lr * globalBatch) / schedule.base_batch_size };
}

/**
 * The learning rate at 0-based `iteration` (mmdet 2.8 step policy with linear warmup):
 * lr·gamma^(steps passed), times 1 − (1 − ratio)·(1 − i/warmup) during warmup. `epochLength` converts the
 * epoch steps to iterations (1 when the schedule counts iterations).
 */
export function learningRateAt(schedule: StageSchedule, iteration: number, epochLength: number): number {
  const unit = schedule.epochs === undefined ? 1 : epochLength;
  const passed = schedule.lr_steps.filter((step) => iteration >= step * unit).length;
  const regular = schedule.lr * schedule.gamma ** passed;
  if (iteration >= schedule.warmup_iters) return regular;
  const k = (1 - iteration / schedule.warmup_iters) * (1 - schedule.warmup_ratio);
  return regular * (1 - k);
}
