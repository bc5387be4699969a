// TopK gradient: each selected value's dy goes back to the position it was taken from, zeros elsewhere.
//
// Why: tfjs 4.22 registers no gradient for TopK (tfjs-notes §2), so a loss over tf.topk values (hard-example
// mining, top-k pooling) cannot be trained. The indices output is an integer selection, with no gradient.
// Measured against: central finite differences (test/worker/tf/gradients.test.ts).
import * as tf from '@tensorflow/tfjs';

export const topKGradient: tf.GradConfig = {
  kernelName: tf.TopK,
  inputsToSave: ['x'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const [x, indices] = saved as [tf.Tensor, tf.Tensor];
    const [dValues] = dys as tf.Tensor[];
    return {
      x: () => {
        const n = x.shape[x.rank - 1] ?? 1;
        const k = indices.shape[indices.rank - 1] ?? 1;
        const rows = x.size / n;
        // Flat positions row * n + index, one per selected value (distinct within a row, so no sums needed).
        const rowStarts = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(n, 'int32'));
        const flat = tf.add(tf.reshape(indices, [rows, k]), tf.expandDims(rowStarts, 1));
        const scattered = tf.scatterND(
          tf.reshape(flat, [rows * k, 1]),
          tf.reshape(dValues as tf.Tensor, [-1]),
          [x.size],
        );
        return tf.reshape(scattered, x.shape);
      },
    };
  },
};
