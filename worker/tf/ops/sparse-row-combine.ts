// The op over the SparseRowCombine kernel: out[to[e], :] += weight[e] * source[from[e], :] into [rows, C].
// Not differentiable by itself (callers wrap it in tf.customGrad, as roiAlign does, where the backward is the
// same op with from/to swapped).
import * as tf from '@tensorflow/tfjs';
import { sparseRowCombineKernelName } from '../kernels/sparse-row-combine.js';

export interface SparseRows {
  /** Source row of each entry, int32 [E]. */
  fromRows: tf.Tensor1D;
  /** Output row of each entry, int32 [E]. */
  toRows: tf.Tensor1D;
  /** Weight of each entry, float32 [E]. */
  weights: tf.Tensor1D;
}

export function sparseRowCombine(source: tf.Tensor2D, entries: SparseRows, rows: number): tf.Tensor2D {
  const { fromRows, toRows, weights } = entries;
  if (tf.getKernel(sparseRowCombineKernelName, tf.getBackend()) !== undefined) {
    const inputs = { source, fromRows, toRows, weights };
    return tf.engine().runKernel<tf.Tensor2D>(sparseRowCombineKernelName, inputs, { rows });
  }
  // Backends without the kernel (tfjs-node): the same sums from stock ops; scatterND adds duplicate rows.
  return tf.tidy(() => {
    const picked = tf.mul(tf.gather(source, fromRows), tf.expandDims(weights, 1));
    return tf.scatterND(tf.expandDims(toRows, 1), picked, [rows, source.shape[1]]);
  });
}
