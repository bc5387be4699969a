// The RoI head's box loss (spec 1.2 and gotcha 15; mmdet 2.8 `BBoxHead.loss` with `L1Loss(loss_weight=1)`,
// class-specific regression): for each positive RoI only its own class's 4 deltas are compared with its
// target, and the sum of absolute errors is divided by the number of *sampled RoIs* (avg_factor =
// bbox_targets.size(0)), not by the number of positives. Without positives the loss is 0, as mmdet returns
// `bbox_pred.sum() * 0`.
//
// The own-class columns are picked with a dense 0/1 class mask (mul + sum over the class axis) instead of a
// gather, so the gradient is element-wise ops and a sum: tf.gather's gradient is O(rows × segments) on cpu and
// missing on stock wasm (tfjs-notes §4.1).
//
// |x| takes torch's gradient (absWithSignGradient, losses/abs-l1.ts): tfjs's is −1 at 0.
import * as tf from '@tensorflow/tfjs';
import { absWithSignGradient } from '../losses/index.js';
import { RoiHeadShapeError } from './errors.js';
import type { RoiTargets } from './roi-targets.js';

/** L1 box loss of `bboxPred` [N, 4C] against `targets` (the same N rows), scaled by `lossWeight`. */
export function roiBoxLoss(bboxPred: tf.Tensor2D, targets: RoiTargets, lossWeight = 1): tf.Scalar {
  const { labels, bboxTargets, numClasses } = targets;
  const rows = labels.length;
  if (bboxPred.rank !== 2 || bboxPred.shape[0] !== rows || bboxPred.shape[1] !== 4 * numClasses) {
    throw new RoiHeadShapeError(
      'bboxPred',
      bboxPred.shape,
      `[${rows}, ${4 * numClasses}] (4 deltas per class)`,
    );
  }
  // Row i has a single 1 at its class when it is a positive; background rows (label C) stay all zero.
  const classMask = new Float32Array(rows * numClasses);
  labels.forEach((label, i) => {
    if (label < numClasses) classMask[i * numClasses + label] = 1;
  });
  return tf.tidy(() => {
    const perClass = tf.reshape(bboxPred, [rows, numClasses, 4]);
    const mask = tf.tensor3d(classMask, [rows, numClasses, 1]);
    const ownClass = tf.sum(tf.mul(perClass, mask), 1);
    const positive = tf.tensor2d(
      Float32Array.from(labels, (label) => (label < numClasses ? 1 : 0)),
      [rows, 1],
    );
    const errors = tf.mul(
      absWithSignGradient(tf.sub(ownClass, tf.tensor2d(bboxTargets, [rows, 4]))),
      positive,
    );
    return tf.mul<tf.Scalar>(tf.div(tf.sum(errors), Math.max(rows, 1)), lossWeight);
  });
}
