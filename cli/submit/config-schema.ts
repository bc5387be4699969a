import { z } from 'zod';
import { dnsLabelPattern } from '../../common/index.js';

/**
 * The schema `submit` validates the effective config with before it creates a job. The training config's
 * full schema (model, data, schedule) arrives with the model issue; until then the BaclJob's `spec.config` is
 * an open object and this schema checks only what submit itself reads: an optional `dataset` naming the
 * shards. Keys it does not know pass through untouched (looseObject), so adding the model schema is a matter
 * of passing it in: `buildJob` and the command take the schema as a value and never look inside it.
 */
export const submitConfigSchema = z.looseObject({
  dataset: z
    .string()
    .regex(
      new RegExp(dnsLabelPattern),
      "must be a DNS label (lower-case letters, digits and '-'), e.g. lvis-v1",
    )
    .optional()
    .describe('The dataset (under <s3>/datasets/) the job trains on; --dataset overrides it.'),
});

export type SubmitConfig = z.output<typeof submitConfigSchema>;

/** Any schema whose output still has submit's keys: the training config's, once it exists. */
export type TrainingConfigSchema = z.ZodType<SubmitConfig & Record<string, unknown>>;
