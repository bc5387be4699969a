// Turns results (detections as objects) into flat columns, checking what the evaluator relies on. Results may
// come from a file (already schema-checked) or straight from the worker's inference, so this check is cheap
// and always runs. Unlike lvis-api, which silently drops detections of unknown categories (spec §2.2), bacl
// refuses them: they are a label-mapping bug (0-based class indices, v0.5 ids against v1), not a detection.
import { LvisFormatError, LvisReferenceError } from '../../common/index.js';

/** What a detection must have; extra fields are ignored. */
export interface DetectionInput {
  image_id: number;
  category_id: number;
  bbox: readonly number[];
  score: number;
}

/** Detections as columns; `imageIndex`/`categoryIndex` index the evaluator's sorted id lists. */
export interface DetectionColumns {
  count: number;
  imageIndex: Int32Array;
  categoryIndex: Int32Array;
  score: Float64Array;
  /** [x, y, w, h] per detection. */
  boxes: Float64Array;
}

function boxProblem(bbox: unknown): string | undefined {
  if (!Array.isArray(bbox) || bbox.length !== 4) return 'bbox is not a list of 4 numbers';
  for (let i = 0; i < 4; i++) {
    const value: unknown = bbox[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) return `bbox[${i}] is not a finite number`;
  }
  if ((bbox[2] as number) < 0 || (bbox[3] as number) < 0) return 'bbox has a negative width or height';
  return undefined;
}

/** Validates and converts `detections`; errors name `source` and the detection's index. */
export function toDetectionColumns(
  detections: readonly DetectionInput[],
  imageIndexById: ReadonlyMap<number, number>,
  categoryIndexById: ReadonlyMap<number, number>,
  source: string,
): DetectionColumns {
  const count = detections.length;
  const columns: DetectionColumns = {
    count,
    imageIndex: new Int32Array(count),
    categoryIndex: new Int32Array(count),
    score: new Float64Array(count),
    boxes: new Float64Array(count * 4),
  };
  for (let i = 0; i < count; i++) {
    const detection = detections[i]!;
    const imageIndex = imageIndexById.get(detection.image_id);
    if (imageIndex === undefined) {
      throw new LvisReferenceError(
        { file: source, jsonPath: `[${i}].image_id` },
        `image ${String(detection.image_id)} is not in the ground truth`,
        'Evaluate against the annotation file the detections were made for (v0.5 and v1 val differ).',
      );
    }
    const categoryIndex = categoryIndexById.get(detection.category_id);
    if (categoryIndex === undefined) {
      throw new LvisReferenceError(
        { file: source, jsonPath: `[${i}].category_id` },
        `category ${String(detection.category_id)} is not in the ground truth`,
        'Write LVIS category ids (1-based, as in the annotation file), not class indices.',
      );
    }
    if (typeof detection.score !== 'number' || !Number.isFinite(detection.score)) {
      throw new LvisFormatError(
        { file: source, jsonPath: `[${i}].score` },
        `score ${String(detection.score)} is not a finite number`,
        'Check the model for NaN/Infinity logits before writing detections.',
      );
    }
    const problem = boxProblem(detection.bbox);
    if (problem !== undefined) {
      throw new LvisFormatError(
        { file: source, jsonPath: `[${i}].bbox` },
        problem,
        'A box is [x, y, width, height] in pixels, width and height >= 0 (not x1, y1, x2, y2).',
      );
    }
    columns.imageIndex[i] = imageIndex;
    columns.categoryIndex[i] = categoryIndex;
    columns.score[i] = detection.score;
    columns.boxes.set(detection.bbox, i * 4);
  }
  return columns;
}
