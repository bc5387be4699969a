// Elementwise binary cross-entropy on logits, ℓ(s, t) = −t·ln σ(s) − (1−t)·ln(1−σ(s)), in the stable form
// max(s, 0) − s·t + ln(1 + e^{−|s|}) that spec 2.5 prescribes. The gradient is given explicitly as σ(s) − t:
// autodiff through max and |s| would return −t instead of 1/2 − t at s = 0 exactly.
import * as tf from '@tensorflow/tfjs';

const bce = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [logits, targets, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([logits, targets]);
  const value = tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
  );
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [s, t] = saved as [tf.Tensor, tf.Tensor];
    return [tf.mul(dy, tf.sub(tf.sigmoid(s), t)), tf.mul(dy, tf.neg(s))];
  };
  return { value, gradFunc };
});

/**
 * BCE-with-logits per element; `logits` and `targets` have the same shape. Differentiable in both (the
 * target gradient −s is exact but unused by the losses here, whose targets are constants).
 */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return bce(logits, targets);
}
