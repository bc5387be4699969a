// Resolve a named config (or a path) from configs/ and validate it: the one entry point for callers.
import { join } from 'node:path';
import { resolveConfig, validateConfig, type ResolvedConfig } from '../config/index.js';
import { packageRoot } from '../program.js';
import { trainingConfigSchema, type TrainingConfig } from './training-config-schema.js';

export interface LoadTrainingConfigOptions {
  /** Where named configs live. @default `<package root>/configs` */
  configDir?: string;
  /** `a.b=c` overrides, applied in order after inheritance. @default [] */
  sets?: readonly string[];
}

/** The typed config plus where it came from (for messages). Throws ConfigValidationError with file:line:col. */
export function loadTrainingConfig(
  source: string,
  options: LoadTrainingConfigOptions = {},
): { config: TrainingConfig; resolved: ResolvedConfig } {
  const resolved = resolveConfig(source, {
    configDir: options.configDir ?? join(packageRoot(), 'configs'),
    sets: options.sets ?? [],
  });
  return { config: validateConfig(resolved, trainingConfigSchema), resolved };
}
