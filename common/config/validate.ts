import type { z } from 'zod';
import { ConfigError, ConfigValidationError } from './errors.js';
import { formatPath } from './paths.js';
import type { ResolvedConfig } from './resolve.js';

/**
 * Validates an effective config against a schema; every problem names the file:line:column that set the
 * field (or `--set ...`) and the field path, e.g. `configs/tiny.yaml:12:3 model.roi_head.num_classes: ...`.
 */
export function validateConfig<Schema extends z.ZodType>(
  resolved: ResolvedConfig,
  schema: Schema,
): z.output<Schema> {
  const result = schema.safeParse(resolved.config);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    return new ConfigError(issue.message, {
      origin: resolved.originOf(path),
      field: formatPath(path) || '(top level)',
    });
  });
  throw new ConfigValidationError(problems);
}
