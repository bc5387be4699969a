// GatherNd gradient: scatter dy back to the gathered positions.
//
// Why: tfjs 4.22 registers no gradient for GatherNd (tf.getGradient('GatherNd') is undefined, tfjs-notes §2).
// scatterND sums duplicate indices on cpu and wasm (verified there), which is exactly the adjoint of a gather.
// Measured against: central finite differences (test/worker/tf/gradients.test.ts).
import * as tf from '@tensorflow/tfjs';

export const gatherNdGradient: tf.GradConfig = {
  kernelName: tf.GatherNd,
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => tf.zerosLike(indices),
    };
  },
};
