// TensorScatterUpdate gradient: the overwritten positions pass their dy to the updates, the rest to the tensor.
//
// Why: tfjs 4.22 registers no gradient for TensorScatterUpdate (tfjs-notes §2). With duplicate indices the
// forward keeps one of the writes; the gradient then gives dy to every update at that index (as TF does), so
// differentiable code should use distinct indices.
// Measured against: central finite differences (test/worker/tf/gradients.test.ts).
import * as tf from '@tensorflow/tfjs';

export const tensorScatterUpdateGradient: tf.GradConfig = {
  kernelName: tf.TensorScatterUpdate,
  inputsToSave: ['indices', 'updates'],
  gradFunc: (dy, saved) => {
    const [indices, updates] = saved as [tf.Tensor, tf.Tensor];
    const dyTensor = dy as tf.Tensor;
    return {
      tensor: () => tf.tensorScatterUpdate(dyTensor, indices, tf.zerosLike(updates)),
      indices: () => tf.zerosLike(indices),
      updates: () => tf.gatherND(dyTensor, indices),
    };
  },
};
