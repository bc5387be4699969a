// Stage-1 classification loss (spec 1.3, reference `mmdet/models/losses/bce.py`): sigmoid BCE over all C+1
// logits with one-hot targets (a background RoI has its 1 in column C), averaged over RoIs as mmdet does
// (roi-averaging.ts).
import * as tf from '@tensorflow/tfjs';
import { oneHotFloat } from './one-hot.js';
import { bceWithLogits } from './bce-with-logits.js';
import { averageOverRois } from './roi-averaging.js';
import type { WeightedClassificationOptions } from './roi-averaging.js';
import { assertLabelsMatchRows, foregroundClassCount } from './validate.js';

/** Stage-1 BCE: `logits` [N, C+1] float32, `labels` [N] int32 in [0, C] (C = background). A scalar. */
export function sigmoidBceLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: WeightedClassificationOptions = {},
): tf.Scalar {
  const numClasses = foregroundClassCount(logits);
  assertLabelsMatchRows(labels, logits.shape[0]);
  return tf.tidy(() => {
    const targets = oneHotFloat(labels, numClasses + 1);
    return averageOverRois(tf.sum<tf.Tensor1D>(bceWithLogits(logits, targets), 1), options);
  });
}
