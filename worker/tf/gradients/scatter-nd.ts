// ScatterNd gradient (with respect to the updates): gather dy at the scattered positions.
//
// Why: tfjs 4.22 registers no gradient for ScatterNd (tfjs-notes §2), and scatterND is the scatter-add that
// differentiable code uses in place of unsortedSegmentSum. Duplicate indices were summed forward, so each update
// receives the full dy of its target.
// Measured against: central finite differences (test/worker/tf/gradients.test.ts).
import * as tf from '@tensorflow/tfjs';

export const scatterNdGradient: tf.GradConfig = {
  kernelName: tf.ScatterNd,
  inputsToSave: ['indices'],
  gradFunc: (dy, saved) => {
    const [indices] = saved as [tf.Tensor];
    return {
      indices: () => tf.zerosLike(indices),
      updates: () => tf.gatherND(dy as tf.Tensor, indices),
    };
  },
};
