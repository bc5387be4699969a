// Test-time post-processing of one image (spec 1.2 "R-CNN test" and 5; mmdet 2.8 `BBoxHead.get_bboxes` with
// rescale=True), in the reference's order:
//   1. scores from the logits (class-scores.ts);
//   2. class-specific decode of every RoI's 4C deltas (stds 0.1/0.1/0.2/0.2), clipped to the resized,
//      un-padded image [0, W] × [0, H];
//   3. boxes divided by the scale factor (w_scale, h_scale) back to original-image pixels, in float32, as
//      mmdet does *before* the NMS (so clipping is to the resized image, then scaled);
//   4. multiclass NMS: score > 1e-4, per-class NMS 0.5, top 300.
import * as tf from '@tensorflow/tfjs';
import { decodeDeltas, ROI_CODER, type ImageShape } from '../boxes/index.js';
import type { ClassifierKind } from '../roi-head/index.js';
import { classScores } from './class-scores.js';
import { InferenceOptionError, InferenceShapeError } from './errors.js';
import { multiclassNms, type Detections, type MulticlassNmsOptions } from './multiclass-nms.js';

/** What post-processing needs to know about one test image. */
export interface TestImage {
  /** The resized, un-padded size the network saw (mmdet `img_shape`). */
  imageShape: ImageShape;
  /**
   * Resized over original size per axis, (w_scale, h_scale) (mmdet `scale_factor`: new_w / w, new_h / h);
   * use scaleFactorOf.
   */
  scaleFactor: readonly [number, number];
}

/** mmdet's scale factor from the original and resized sizes. */
export function scaleFactorOf(original: ImageShape, resized: ImageShape): [number, number] {
  return [resized.width / original.width, resized.height / original.height];
}

export interface PostProcessOptions extends MulticlassNmsOptions {
  /** How `fc_cls` was trained. @default 'sigmoid' */
  classifier?: ClassifierKind;
}

function checkInputs(
  clsScore: tf.Tensor2D,
  bboxPred: tf.Tensor2D,
  rois: Float32Array,
  image: TestImage,
): number {
  const [rows, columns] = clsScore.shape;
  const numClasses = columns - 1;
  if (rois.length !== 4 * rows) {
    throw new InferenceShapeError('rois', [rois.length], `[${4 * rows}] (4 per clsScore row)`);
  }
  if (bboxPred.rank !== 2 || bboxPred.shape[0] !== rows || bboxPred.shape[1] !== 4 * numClasses) {
    throw new InferenceShapeError(
      'bboxPred',
      bboxPred.shape,
      `[${rows}, ${4 * numClasses}] (class-specific)`,
    );
  }
  const [sx, sy] = image.scaleFactor;
  if (!(sx > 0 && sy > 0 && Number.isFinite(sx) && Number.isFinite(sy))) {
    throw new InferenceOptionError('scaleFactor', image.scaleFactor, 'must be two positive finite numbers');
  }
  return numClasses;
}

/** One image's detections in original-image pixels from the head's outputs on its RoIs (flat xyxy). */
export function postProcessImage(
  clsScore: tf.Tensor2D,
  bboxPred: tf.Tensor2D,
  rois: Float32Array,
  image: TestImage,
  options: PostProcessOptions = {},
): Detections {
  const numClasses = checkInputs(clsScore, bboxPred, rois, image);
  const rows = clsScore.shape[0];
  if (rows === 0)
    return { boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) };
  const [scoreTensor, boxTensor] = tf.tidy(() => [
    classScores(clsScore, options.classifier ?? 'sigmoid'),
    decodeDeltas(tf.tensor2d(rois, [rows, 4]), bboxPred, { ...ROI_CODER, imageShape: image.imageShape }),
  ]);
  // Read back outside the tidy: a tidy that returns a large typed array walks it element by element.
  const scores = Float32Array.from(scoreTensor.dataSync());
  const boxes = Float32Array.from(boxTensor.dataSync());
  tf.dispose([scoreTensor, boxTensor]);
  const xScale = Math.fround(image.scaleFactor[0]);
  const yScale = Math.fround(image.scaleFactor[1]);
  for (let i = 0; i < boxes.length; i++) boxes[i] = (boxes[i] ?? 0) / (i % 2 === 0 ? xScale : yScale);
  return multiclassNms(boxes, scores, numClasses, options);
}
