// FCBL's pairwise class-aware margins (spec 2.3, recipe 2.7 steps 3-4). For a positive row i of class y and a
// foreground column j: m_ij = α·[ln max(A[y, j], ε) − ln max(A[j, y], ε)]. The background column and every
// column of a background row get 0. A comes from the state only, so the margins are constants for autodiff.
import * as tf from '@tensorflow/tfjs';

/**
 * The [N, C+1] margin matrix. `confusion` is A (C×C), `labels` [N] int32 in [0, C], `positive` [N] float32
 * 1/0. Background rows are computed with a clamped label and then zeroed, so no data-dependent gather is
 * needed (tfjs has no synchronous boolean mask).
 */
export function pairwiseMargins(
  confusion: tf.Tensor2D,
  labels: tf.Tensor1D,
  positive: tf.Tensor1D,
  alpha: number,
  clampEpsilon: number,
): tf.Tensor2D {
  const numClasses = confusion.shape[0];
  return tf.tidy(() => {
    const rowLabels = tf.minimum(labels, tf.scalar(numClasses - 1, 'int32'));
    const outgoing = tf.gather(confusion, rowLabels); // R = A[y_i, :]
    const incoming = tf.gather(tf.transpose(confusion), rowLabels); // Q = A[:, y_i]ᵀ
    const logRatio = tf.sub(
      tf.log(tf.maximum(outgoing, clampEpsilon)),
      tf.log(tf.maximum(incoming, clampEpsilon)),
    );
    const foreground = tf.mul(tf.mul(logRatio, alpha), tf.reshape(positive, [-1, 1]));
    return tf.concat([foreground, tf.zeros([labels.shape[0], 1])], 1) as tf.Tensor2D;
  });
}
