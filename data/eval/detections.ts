// Detections as flat columns, and the checks the evaluator relies on. Results come from a file (the streaming
// reader, results-reader.ts) or straight from the worker's inference (toDetectionColumns), and both run the
// same checks with the same errors. Unlike lvis-api, which silently drops detections of unknown categories
// (spec §2.2), bacl refuses them: they are a label-mapping bug (0-based class indices, v0.5 ids against v1),
// not a detection. A box reaching outside its image is evaluated as given (lvis-api does, and the metrics must
// stay its numbers) but counted, so the caller can warn: it usually means boxes in the resized input's pixels.
import { LvisFormatError, LvisReferenceError, type LvisGroundTruth } from '../../common/index.js';
import { IdIndex } from './id-index.js';

/** What a detection must have; extra fields are ignored. */
export interface DetectionInput {
  image_id: number;
  category_id: number;
  bbox: readonly number[];
  score: number;
}

/** Detections whose box reaches more than `OUTSIDE_IMAGE_TOLERANCE` pixels past an image edge. */
export interface OutsideImageCount {
  count: number;
  /** The first such detection's index in the results, -1 when none. */
  first: number;
}

/** Detections as columns; `imageIndex`/`categoryIndex` index the evaluator's sorted id lists. */
export interface DetectionColumns {
  count: number;
  imageIndex: Int32Array;
  categoryIndex: Int32Array;
  score: Float64Array;
  /** [x, y, w, h] per detection. */
  boxes: Float64Array;
  outsideImage: OutsideImageCount;
}

/** Bytes per detection in DetectionColumns: 4 + 4 + 8 + 4 * 8. */
export const DETECTION_COLUMN_BYTES = 48;

/**
 * Pixels a box may reach past an image edge before it counts as outside: rounding in x + w, and detectors
 * that write the last pixel's far edge (width) rather than its index (width - 1), are not a problem.
 */
export const OUTSIDE_IMAGE_TOLERANCE = 1;

/** What detections are checked against: the ground truth's ids and image sizes, by index. */
export interface DetectionTargets {
  images: IdIndex;
  categories: IdIndex;
  /** Width and height of image index i. */
  width: Float64Array;
  height: Float64Array;
}

export function detectionTargets(gt: LvisGroundTruth): DetectionTargets {
  const images = new IdIndex(gt.images.map((image) => image.id));
  const categories = new IdIndex(gt.categories.map((category) => category.id));
  const width = new Float64Array(images.size);
  const height = new Float64Array(images.size);
  for (const image of gt.images) {
    const index = images.indexOf(image.id);
    width[index] = image.width;
    height[index] = image.height;
  }
  return { images, categories, width, height };
}

/** Where a detection's problem is: the results' name, its index, and (from a file) the byte it starts at. */
export interface DetectionPlace {
  source: string;
  index: number;
  byteOffset?: number;
}

function located(place: DetectionPlace, field: string, problem: string) {
  const at = place.byteOffset === undefined ? '' : ` (the detection starts at byte ${place.byteOffset})`;
  return [{ file: place.source, jsonPath: `[${place.index}]${field}` }, `${problem}${at}`] as const;
}

export const detectionHints = {
  image: 'Evaluate against the annotation file the detections were made for (v0.5 and v1 val differ).',
  category: 'Write LVIS category ids (1-based, as in the annotation file), not class indices.',
  score: 'Check the model for NaN/Infinity logits before writing detections.',
  bbox: 'A box is [x, y, width, height] in pixels, width and height >= 0 (not x1, y1, x2, y2).',
  shape: 'A results file is a JSON array of {image_id, category_id, bbox: [x, y, width, height], score}.',
} as const;

export function unknownImageError(place: DetectionPlace, id: unknown): LvisReferenceError {
  return new LvisReferenceError(
    ...located(place, '.image_id', `image ${String(id)} is not in the ground truth`),
    detectionHints.image,
  );
}

export function unknownCategoryError(place: DetectionPlace, id: unknown): LvisReferenceError {
  return new LvisReferenceError(
    ...located(place, '.category_id', `category ${String(id)} is not in the ground truth`),
    detectionHints.category,
  );
}

export function scoreError(place: DetectionPlace, score: unknown): LvisFormatError {
  return new LvisFormatError(
    ...located(place, '.score', `score ${String(score)} is not a finite number`),
    detectionHints.score,
  );
}

export function boxError(place: DetectionPlace, problem: string): LvisFormatError {
  return new LvisFormatError(...located(place, '.bbox', problem), detectionHints.bbox);
}

/** A field of the wrong JSON type, a missing field, a detection that is not an object. */
export function shapeError(place: DetectionPlace, field: string, problem: string): LvisFormatError {
  return new LvisFormatError(...located(place, field, problem), detectionHints.shape);
}

/** The problem with a bbox value, or undefined when it is 4 finite numbers with w, h >= 0. */
export function boxProblem(bbox: unknown): string | undefined {
  if (!Array.isArray(bbox) || bbox.length !== 4) return 'bbox is not a list of 4 numbers';
  for (let i = 0; i < 4; i++) {
    const value: unknown = bbox[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) return `bbox[${i}] is not a finite number`;
  }
  if ((bbox[2] as number) < 0 || (bbox[3] as number) < 0) return 'bbox has a negative width or height';
  return undefined;
}

/** Whether box [x, y, w, h] reaches past image `image`'s edges by more than the tolerance. */
export function isOutsideImage(
  targets: DetectionTargets,
  image: number,
  x: number,
  y: number,
  w: number,
  h: number,
): boolean {
  const t = OUTSIDE_IMAGE_TOLERANCE;
  return x < -t || y < -t || x + w > targets.width[image]! + t || y + h > targets.height[image]! + t;
}

/** Validates and converts `detections`; errors name `source` and the detection's index. */
export function toDetectionColumns(
  detections: readonly DetectionInput[],
  targets: DetectionTargets,
  source: string,
): DetectionColumns {
  const count = detections.length;
  const columns: DetectionColumns = {
    count,
    imageIndex: new Int32Array(count),
    categoryIndex: new Int32Array(count),
    score: new Float64Array(count),
    boxes: new Float64Array(count * 4),
    outsideImage: { count: 0, first: -1 },
  };
  for (let i = 0; i < count; i++) {
    const detection = detections[i]!;
    const place = { source, index: i };
    const imageIndex = targets.images.indexOf(detection.image_id);
    if (imageIndex === -1) throw unknownImageError(place, detection.image_id);
    const categoryIndex = targets.categories.indexOf(detection.category_id);
    if (categoryIndex === -1) throw unknownCategoryError(place, detection.category_id);
    if (typeof detection.score !== 'number' || !Number.isFinite(detection.score)) {
      throw scoreError(place, detection.score);
    }
    const problem = boxProblem(detection.bbox);
    if (problem !== undefined) throw boxError(place, problem);
    const [x, y, w, h] = detection.bbox as [number, number, number, number];
    if (isOutsideImage(targets, imageIndex, x, y, w, h)) {
      if (columns.outsideImage.count++ === 0) columns.outsideImage.first = i;
    }
    columns.imageIndex[i] = imageIndex;
    columns.categoryIndex[i] = categoryIndex;
    columns.score[i] = detection.score;
    columns.boxes.set(detection.bbox, i * 4);
  }
  return columns;
}
