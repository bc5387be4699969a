import type { z } from 'zod';
import { ConfigError, ConfigValidationError } from './errors.js';
import { formatPath } from './paths.js';
import type { ResolvedConfig } from './resolve.js';
import { droppedKeys, firstLeaf, knownKeys, nearestKey } from './unknown-keys.js';

/**
 * Validates an effective config against a schema; every problem names the file:line:column that set the
 * field (or `--set ...`) and the field path, e.g. `configs/tiny.yaml:12:3 model.roi_head.num_classes: ...`.
 * A key the schema does not know is a problem too (zod would drop it, and the run would silently use the
 * default): named with its place and the nearest known field.
 */
export function validateConfig<Schema extends z.ZodType>(
  resolved: ResolvedConfig,
  schema: Schema,
): z.output<Schema> {
  const result = schema.safeParse(resolved.config);
  if (result.success) {
    const unknown = droppedKeys(resolved.config, result.data).map((path) => {
      const parent = path.slice(0, -1);
      const known = knownKeys(schema, parent);
      const near = nearestKey(String(path.at(-1)), known);
      const problem =
        near !== undefined
          ? `unknown field: did you mean ${formatPath([...parent, near])}?`
          : known.length > 0
            ? `unknown field: remove it (the fields here are ${known.join(', ')})`
            : 'unknown field: remove it';
      return new ConfigError(problem, {
        origin: resolved.originOf(firstLeaf(resolved.config, path)),
        field: formatPath(path),
      });
    });
    if (unknown.length === 0) return result.data;
    throw new ConfigValidationError(unknown);
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    return new ConfigError(issue.message, {
      origin: resolved.originOf(path),
      field: formatPath(path) || '(top level)',
    });
  });
  throw new ConfigValidationError(problems);
}
