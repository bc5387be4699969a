// BatchMatMul gradient with explicit transposes.
//
// Why: wasm's matMul reaches XNNPACK only when neither transposeA nor transposeB is set (and batch is 1); the
// stock gradient passes transpose flags, so every backward matMul took the scalar `slow_batch_matmul` path: a 2fc
// box head step went from 30 s to 1.9 s with this (tfjs-notes §4.1). Same maths as tfjs-core's gradient; on other
// backends the flags are cheap, so they are kept there.
// Measured against: the stock gradient and finite differences (test/worker/tf/gradients.test.ts).
import * as tf from '@tensorflow/tfjs';

/** a^T over the last two axes when `transpose` is set, else a itself. */
function lastTwoTransposed(a: tf.Tensor, transpose: boolean): tf.Tensor {
  if (!transpose) return a;
  const perm = a.shape.map((_, axis) => axis);
  const rank = perm.length;
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return tf.transpose(a, perm);
}

/** matMul(a, b, transposeA, transposeB), with the transposes done by tf.transpose on wasm. */
function matMulFast(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(lastTwoTransposed(a, transposeA), lastTwoTransposed(b, transposeB));
}

export const batchMatMulGradient: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const dyTensor = dy as tf.Tensor;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) {
      return { a: () => matMulFast(dyTensor, b, false, true), b: () => matMulFast(a, dyTensor, true, false) };
    }
    if (!transposeA && transposeB) {
      return {
        a: () => matMulFast(dyTensor, b, false, false),
        b: () => matMulFast(dyTensor, a, true, false),
      };
    }
    if (transposeA && !transposeB) {
      return {
        a: () => matMulFast(b, dyTensor, false, true),
        b: () => matMulFast(a, dyTensor, false, false),
      };
    }
    return { a: () => matMulFast(b, dyTensor, true, true), b: () => matMulFast(dyTensor, a, true, true) };
  },
};
