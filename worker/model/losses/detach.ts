// tfjs has no stop-gradient op, and comparisons such as logicalOr have no gradient at all, so the quantities
// the spec computes from *detached* logits (FCBL weights and confusion increments, spec 2.4 and 2.7) are built
// from this identity whose gradient is zero. That both matches the reference (`cls_score.detach()`) and keeps
// tf.grad from walking into ops it cannot differentiate.
import * as tf from '@tensorflow/tfjs';

const identityWithoutGradient = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => {
  const input = x as tf.Tensor;
  return { value: input.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/** The same values as `x`, treated as a constant by tf.grad / tf.variableGrads. */
export function detach<T extends tf.Tensor>(x: T): T {
  return identityWithoutGradient(x) as T;
}
