// Validates one value against its schema and turns the first zod issue into an LvisFormatError that names the
// file, the full JSON path (`annotations[12].bbox[2]`) and what to do.
import type { z } from 'zod';
import { formatJsonPath, LvisFormatError } from './errors.js';

const hints: Array<[RegExp, string]> = [
  [
    /^images\[\d+\]\.(neg_category_ids|not_exhaustive_category_ids)/,
    'Every LVIS image lists neg_category_ids and not_exhaustive_category_ids; write [] when none are known ' +
      '(the official evaluator requires both).',
  ],
  [/\.bbox/, 'A box is [x, y, width, height]: 4 finite numbers, width and height >= 0 (not x1, y1, x2, y2).'],
  [
    /^categories\[\d+\]\.frequency/,
    "frequency is 'r' (1-10 training images), 'c' (11-100) or 'f' (more than 100), taken from the train split.",
  ],
  [/^\[\d+\]\.score/, 'A score is a finite number (higher ranks first).'],
  [
    /^\[\d+\]/,
    'A results file is a JSON array of {image_id, category_id, bbox: [x, y, width, height], score}.',
  ],
];
const defaultHint =
  'Fix this value or regenerate the file; an LVIS file has images, annotations and categories as in LVIS v0.5/v1.';

/** The hint for a problem at `jsonPath`. */
export function hintForPath(jsonPath: string): string {
  return hints.find(([pattern]) => pattern.test(jsonPath))?.[1] ?? defaultHint;
}

/** Parses `value` with `schema`, or throws an LvisFormatError located at `file` + `path` + the issue's path. */
export function validateLvisValue<T>(
  schema: z.ZodType<T>,
  value: unknown,
  file: string,
  path: readonly PropertyKey[],
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const jsonPath = formatJsonPath([...path, ...issue.path]);
  throw new LvisFormatError({ file, jsonPath }, issue.message, hintForPath(jsonPath), {
    cause: result.error,
  });
}
