// The README baseline's classification loss (spec 1.5): softmax cross-entropy over C+1 classes (mmdet
// CrossEntropyLoss with use_sigmoid=False), averaged over RoIs as mmdet does (roi-averaging.ts).
import * as tf from '@tensorflow/tfjs';
import { oneHotFloat } from './one-hot.js';
import { averageOverRois } from './roi-averaging.js';
import type { WeightedClassificationOptions } from './roi-averaging.js';
import { assertLabelsMatchRows, foregroundClassCount } from './validate.js';

/** Baseline softmax CE: `logits` [N, C+1] float32, `labels` [N] int32 in [0, C] (C = background). */
export function softmaxCrossEntropyLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: WeightedClassificationOptions = {},
): tf.Scalar {
  const numClasses = foregroundClassCount(logits);
  assertLabelsMatchRows(labels, logits.shape[0]);
  return tf.tidy(() => {
    const targets = oneHotFloat(labels, numClasses + 1);
    const perRow = tf.neg(tf.sum<tf.Tensor1D>(tf.mul(targets, tf.logSoftmax(logits, 1)), 1));
    return averageOverRois(perRow, options);
  });
}
