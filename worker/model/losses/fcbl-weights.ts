// FCBL's auto-adjusted 0/1 weights, the short-term indicator (spec 2.4, recipe 2.7 step 5, reference
// `get_weight`). On a positive row a column keeps its loss when its detection score q (the test-time
// activation of spec 2.6, on raw logits without margin) is >= the GT column's score, or >= τ, or it is the
// background column. Background rows keep every column.
import * as tf from '@tensorflow/tfjs';
import { oneHotFloat } from './one-hot.js';
import { detectionScores } from './sigmoid-classifier.js';

/**
 * The [N, C+1] weight matrix. `detachedLogits` must already be cut from the gradient (see detach.ts);
 * `labels` [N] int32 in [0, C]; `positive` [N] float32 1/0.
 */
export function shortTermWeights(
  detachedLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  positive: tf.Tensor1D,
  probThreshold: number,
): tf.Tensor2D {
  const columns = detachedLogits.shape[1];
  return tf.tidy(() => {
    const scores = detectionScores(detachedLogits);
    const groundTruthScore = tf.sum(tf.mul(scores, oneHotFloat(labels, columns)), 1, true);
    const confusing = tf.cast(tf.greaterEqual(scores, groundTruthScore), 'float32');
    const confident = tf.cast(tf.greaterEqual(scores, probThreshold), 'float32');
    const backgroundColumn = tf.concat([tf.zeros([1, columns - 1]), tf.ones([1, 1])], 1); // broadcast over rows
    const kept = tf.maximum(tf.maximum(confusing, confident), backgroundColumn);
    // w = kept on positive rows, 1 on background rows: 1 − positive·(1 − kept).
    return tf.sub(1, tf.mul(tf.reshape(positive, [-1, 1]), tf.sub(1, kept)));
  });
}
