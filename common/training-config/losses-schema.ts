// The classification-loss part of the training config: stage-1 BCE (spec 1.3), stage-2 FCBL (spec 2.8) and
// FHM (spec 3.7), and the softmax-CE baseline (spec 1.5). Defaults are the BACL configs' values, not the
// reference code's defaults (alpha 1.0, S 4), as ADR 0008 records.
import { z } from 'zod';

const unitInterval = z.number().min(0).max(1);

export const fcblSchema = z
  .object({
    alpha: z.number().min(0).default(0.85).describe('FCBL margin scale α (config 0.85, code 1.0)'),
    prob_thr: unitInterval.default(0.7).describe('FCBL τ: a negative keeps its loss at score >= τ'),
    loss_weight: z.number().min(0).default(1).describe('λ'),
    reweight: z
      .boolean()
      .default(true)
      .describe('short-term weights on (ReweightHook step=1: from the start)'),
  })
  .describe('FCBL (spec 2)');

export const fhmSchema = z
  .object({
    enabled: z.boolean().default(true).describe('hallucinate features for the classifier (stage 2)'),
    sampled_num_classes: z.number().int().positive().default(8).describe('K, classes drawn per step'),
    sampled_num_features: z.number().int().positive().default(12).describe('S, features per class'),
    decay_ratio: unitInterval.default(0.1).describe('β, the statistics EMA decay'),
  })
  .describe('FHM (spec 3)');

export const lossesSchema = z
  .object({
    representation: z
      .object({ cls: z.literal('bce').default('bce').describe('sigmoid BCE over C+1 (spec 1.3)') })
      .prefault({}),
    classifier: z
      .object({
        cls: z.literal('fcbl').default('fcbl'),
        fcbl: fcblSchema.prefault({}),
        fhm: fhmSchema.prefault({}),
      })
      .prefault({}),
    baseline: z
      .object({
        cls: z.literal('softmax_ce').default('softmax_ce').describe('softmax CE over C+1 (spec 1.5)'),
      })
      .prefault({}),
  })
  .describe('classification losses per stage; the box losses are L1 with weight 1 everywhere');

export type LossesConfig = z.output<typeof lossesSchema>;
