// mmdet 2.8's `multiclass_nms` for class-specific boxes (spec 1.2 "R-CNN test" and 5): every (RoI, class)
// pair with score > score_thr (1e-4) is a candidate, in row-major (RoI, class) order; NMS at IoU 0.5 runs per
// class (`batched_nms` with the class as group; mmcv's CUDA semantics, see boxes/nms.ts); the survivors, in
// descending score order (ties by candidate order), are cut to max_per_img (300); top-k-class-nms.ts gets the
// same survivors without running NMS past the 300th. Pure JS on the read-back scores and boxes: it picks
// indices and needs no gradient.
import { InferenceOptionError, InferenceShapeError } from './errors.js';
import { topKClassNms } from './top-k-class-nms.js';

export interface MulticlassNmsOptions {
  /** Candidates need a score strictly above this. @default 0.0001 */
  scoreThreshold?: number;
  /** Per-class NMS drops a box whose IoU with a kept one is above this. @default 0.5 */
  iouThreshold?: number;
  /** Detections kept per image, across classes. @default 300 */
  maxPerImage?: number;
}

export const TEST_POSTPROCESS: Readonly<Required<MulticlassNmsOptions>> = Object.freeze({
  scoreThreshold: 1e-4,
  iouThreshold: 0.5,
  maxPerImage: 300,
});

/** One image's detections, in descending score order. */
export interface Detections {
  /** [K·4] flat xyxy. */
  boxes: Float32Array;
  /** [K]. */
  scores: Float32Array;
  /** [K] class index in [0, C). */
  labels: Int32Array;
}

function resolve(options: MulticlassNmsOptions): Required<MulticlassNmsOptions> {
  const resolved = { ...TEST_POSTPROCESS, ...options };
  if (!Number.isFinite(resolved.scoreThreshold)) {
    throw new InferenceOptionError('scoreThreshold', resolved.scoreThreshold, 'must be a finite number');
  }
  if (!(resolved.iouThreshold >= 0 && resolved.iouThreshold <= 1)) {
    throw new InferenceOptionError('iouThreshold', resolved.iouThreshold, 'must be a number in [0, 1]');
  }
  if (!Number.isInteger(resolved.maxPerImage) || resolved.maxPerImage < 1) {
    throw new InferenceOptionError('maxPerImage', resolved.maxPerImage, 'must be a positive integer');
  }
  return resolved;
}

/**
 * Detections from `scores` [N·C] (row-major, foreground only) and class-specific `boxes` [N·4C] (class c's
 * box of RoI i at 4·(i·C + c)).
 */
export function multiclassNms(
  boxes: Float32Array,
  scores: Float32Array,
  numClasses: number,
  options: MulticlassNmsOptions = {},
): Detections {
  const { scoreThreshold, iouThreshold, maxPerImage } = resolve(options);
  if (!Number.isInteger(numClasses) || numClasses < 1 || scores.length % numClasses !== 0) {
    throw new InferenceShapeError('scores', [scores.length], `[N·C] with C = ${numClasses}`);
  }
  if (boxes.length !== 4 * scores.length) {
    throw new InferenceShapeError('boxes', [boxes.length], `[${4 * scores.length}] (4 per score)`);
  }
  // torch compares the float32 scores with the threshold rounded to float32.
  const threshold = Math.fround(scoreThreshold);
  const candidates: number[] = [];
  scores.forEach((score, k) => {
    if (score > threshold) candidates.push(k);
  });
  const candidateBoxes = new Float32Array(4 * candidates.length);
  candidates.forEach((k, j) => candidateBoxes.set(boxes.subarray(4 * k, 4 * k + 4), 4 * j));
  const candidateScores = Float32Array.from(candidates, (k) => scores[k] ?? 0);
  const classes = Int32Array.from(candidates, (k) => k % numClasses);
  const kept = topKClassNms(candidateBoxes, candidateScores, classes, iouThreshold, maxPerImage);
  const detections: Detections = {
    boxes: new Float32Array(4 * kept.length),
    scores: Float32Array.from(kept, (j) => candidateScores[j] ?? 0),
    labels: Int32Array.from(kept, (j) => classes[j] ?? 0),
  };
  kept.forEach((j, r) => detections.boxes.set(candidateBoxes.subarray(4 * j, 4 * j + 4), 4 * r));
  return detections;
}
