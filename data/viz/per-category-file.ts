// per-category.json: a run's AP per category with the x value the plot used, written by
// `baclctl eval --visualize DIR` beside the pictures, so a later run can be drawn against it
// (`--compare DIR/per-category.json`) without its detections. metrics.json holds only the 13 aggregate numbers,
// which is why this file exists (docs/adr/0032). Pure: building and parsing; the CLI reads and writes it.
import { z } from 'zod';
import { lvisFrequencySchema, type LvisFrequency } from '../../common/index.js';
import { VisualizeError } from './errors.js';

export const perCategoryFileName = 'per-category.json';

const perCategorySchema = z.object({
  format: z.literal('bacl-per-category-ap'),
  version: z.literal(1),
  groundTruth: z.string().describe('The --gt file evaluated against'),
  results: z.string().describe('The detections evaluated'),
  trainImagesFrom: z
    .string()
    .describe('Where trainImages were counted: a --train-gt file, or "image_count of <gt>"'),
  metrics: z.record(z.string(), z.number()).describe("The 13 LVIS metrics, lvis-api's names"),
  categories: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      frequency: lvisFrequencySchema.describe('As the ground truth declares it'),
      trainImages: z.number().int().nonnegative(),
      ap: z.number().min(-1).max(1).describe('Box AP, IoU 0.5:0.95, area all; -1: no ground truth'),
    }),
  ),
});

export type PerCategoryFile = z.infer<typeof perCategorySchema>;

export interface PerCategoryEntry {
  id: number;
  name: string;
  frequency: LvisFrequency;
  trainImages: number;
  ap: number;
}

/** The file's text (two-space JSON, one category per line group, ending in a newline). */
export function formatPerCategoryFile(content: Omit<PerCategoryFile, 'format' | 'version'>): string {
  const file: PerCategoryFile = { format: 'bacl-per-category-ap', version: 1, ...content };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Parses and checks a per-category.json; errors name `file` and the field. */
export function parsePerCategoryFile(text: string, file: string): PerCategoryFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new VisualizeError(
      `${file}: not JSON`,
      'invalid',
      'pass a per-category.json written by --visualize',
      {
        cause: error,
      },
    );
  }
  const parsed = perCategorySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VisualizeError(
      `${file}: ${issue.path.join('.') || '$'}: ${issue.message}`,
      'invalid',
      "pass a per-category.json written by `baclctl eval --visualize`, or that run's detections.json",
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
