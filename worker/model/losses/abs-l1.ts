// |x| with torch's gradient, for the L1 box losses (RPN and RoI head).
//
// tfjs 4.22's Abs gradient is step(x, −1), i.e. −1 at x = 0, where torch (whose L1Loss the reference uses)
// gives sign(0) = 0. It matters when a prediction hits its target exactly, as it does for boxes that are
// already ground truth.
import * as tf from '@tensorflow/tfjs';

export const absWithSignGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad(
  (x: tf.Tensor | tf.GradSaveFunc, save?: tf.Tensor | tf.GradSaveFunc) => {
    const input = x as tf.Tensor;
    (save as tf.GradSaveFunc)([input]);
    return {
      value: tf.abs(input),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sign(saved[0] as tf.Tensor)),
    };
  },
);
