// zod schemas for LVIS ground truth (v0.5 and v1) and for bbox results (detections). Objects are loose: fields
// bacl does not read (licenses, flickr_url, ...) pass through untouched, so a file round-trips.
import { z } from 'zod';

const lvisId = z.number().int().describe('An integer id; LVIS ids start at 1');
const idList = z.array(lvisId);

/** [x, y, width, height] in pixels, top-left origin; width and height may be 0 (such boxes are never matched). */
export const lvisBoxSchema = z
  .tuple([z.number(), z.number(), z.number(), z.number()])
  .superRefine((box, context) => {
    if (box[2] < 0) context.addIssue({ code: 'custom', path: [2], message: 'width is negative' });
    if (box[3] < 0) context.addIssue({ code: 'custom', path: [3], message: 'height is negative' });
  })
  .describe('[x, y, width, height] in pixels (not x2/y2), width and height >= 0');

/** Fields of `images[]` that both versions share; the evaluator needs only the first three. */
export const lvisImageSchema = z.looseObject({
  id: lvisId,
  neg_category_ids: idList.describe('Categories verified to be absent from the image'),
  not_exhaustive_category_ids: idList.describe('Categories present but not all instances annotated'),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  coco_url: z.string().optional(),
  file_name: z.string().optional().describe('v0.5 only (removed in v1)'),
  flickr_url: z.string().optional(),
  license: z.number().int().optional(),
  date_captured: z.string().optional(),
});
export const lvisV05ImageSchema = lvisImageSchema.extend({ file_name: z.string() });
export const lvisV1ImageSchema = lvisImageSchema.extend({
  coco_url: z.string().describe('Its folder (train2017/ or val2017/) tells the COCO split'),
});

const polygons = z.array(z.array(z.number()));
const rle = z.looseObject({ counts: z.union([z.string(), z.array(z.number())]), size: z.array(z.number()) });

export const lvisAnnotationSchema = z.looseObject({
  id: lvisId,
  image_id: lvisId,
  category_id: lvisId,
  bbox: lvisBoxSchema,
  area: z.number().nonnegative().describe('The mask area (not width*height); decides small/medium/large'),
  segmentation: z.union([polygons, rle]).optional(),
  ignore: z
    .union([z.boolean(), z.number()])
    .optional()
    .describe('Honoured by the evaluator; LVIS never sets it'),
});

export const lvisFrequencySchema = z
  .enum(['r', 'c', 'f'])
  .describe('r: 1-10 train images, c: 11-100, f: >100');

export const lvisCategorySchema = z.looseObject({
  id: lvisId,
  name: z.string(),
  frequency: lvisFrequencySchema,
  image_count: z.number().int().nonnegative().describe('Images of this file that contain the category'),
  instance_count: z.number().int().nonnegative().describe('Annotations of this file with the category'),
  synset: z.string().optional(),
  synonyms: z.array(z.string()).optional(),
  def: z.string().optional(),
});

/** One detection of a bbox results file (the file is a JSON array of these). */
export const lvisDetectionSchema = z.looseObject({
  image_id: lvisId,
  category_id: lvisId,
  bbox: lvisBoxSchema,
  score: z.number().describe('A finite confidence; higher ranks first'),
});

export type LvisImage = z.infer<typeof lvisImageSchema>;
export type LvisAnnotation = z.infer<typeof lvisAnnotationSchema>;
export type LvisCategory = z.infer<typeof lvisCategorySchema>;
export type LvisFrequency = z.infer<typeof lvisFrequencySchema>;
export type LvisDetection = z.infer<typeof lvisDetectionSchema>;
export type LvisBox = z.infer<typeof lvisBoxSchema>;

/** Which image schema a ground-truth file must satisfy; `any` accepts both versions. */
export type LvisVersion = 'v0.5' | 'v1' | 'any';

export const lvisImageSchemas: Record<LvisVersion, z.ZodType<LvisImage>> = {
  'v0.5': lvisV05ImageSchema,
  v1: lvisV1ImageSchema,
  any: lvisImageSchema,
};

/** A loaded ground-truth file: the three arrays bacl reads plus whatever else the top level held. */
export interface LvisGroundTruth {
  images: LvisImage[];
  annotations: LvisAnnotation[];
  categories: LvisCategory[];
  info?: unknown;
  licenses?: unknown;
}
