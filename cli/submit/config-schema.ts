import type { z } from 'zod';
import { trainingConfigSchema, type TrainingConfig } from '../../common/index.js';

/**
 * The schema `submit` validates the effective config with before it creates a job: the typed training config
 * (common/training-config), the same one the worker reads. `buildJob` takes it as a value so tests can pass a
 * narrower one.
 */
export const submitConfigSchema = trainingConfigSchema;

export type TrainingConfigSchema = z.ZodType<TrainingConfig>;

/**
 * The dataset name (a DNS label, the S3 folder under `<s3>/datasets/`) for the config's `data.dataset`:
 * `lvis_v1` -> `lvis-v1`, `lvis_v0.5` -> `lvis-v0-5`, `synth` -> `synth`. `--dataset` overrides it.
 */
export function datasetNameFor(config: TrainingConfig): string {
  return config.data.dataset.replace(/[_.]/g, '-');
}
