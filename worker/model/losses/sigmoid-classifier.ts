// The sigmoid classifier with an explicit background logit shared by stage-1 BCE and stage-2 FCBL (spec 1.2,
// 2.6, gotcha 2): C+1 outputs, column C is background, each trained as an independent sigmoid.
import * as tf from '@tensorflow/tfjs';
import { assertInRange, foregroundClassCount } from './validate.js';

/** The prior probability `fc_cls` starts from in stage 1 (mmdet `bias_init_with_prob(0.001)`). */
export const DEFAULT_PRIOR_PROBABILITY = 0.001;

/**
 * The bias every `fc_cls` output (background included) starts at in stage 1, so that σ(bias) equals the
 * prior: −ln((1 − p)/p), ≈ −6.9068 for p = 0.001 (spec 1.2). Stage 2 does not re-initialise (gotcha 3).
 */
export function priorBias(priorProbability: number = DEFAULT_PRIOR_PROBABILITY): number {
  assertInRange('priorProbability', priorProbability, 0, 1, { min: true, max: true });
  return -Math.log((1 - priorProbability) / priorProbability);
}

/**
 * The detection-score activation (spec 2.6, the reference `get_activation`): s = σ(z) for all C+1 columns,
 * then s_c ← s_c·(1 − s_C) for the C foreground columns; the background column stays σ(z_C). Used for test
 * scores and for FCBL's short-term weights.
 */
export function detectionScores(logits: tf.Tensor2D): tf.Tensor2D {
  const numClasses = foregroundClassCount(logits);
  return tf.tidy(() => {
    const probabilities = tf.sigmoid(logits);
    const [foreground, background] = tf.split(probabilities, [numClasses, 1], 1) as [
      tf.Tensor2D,
      tf.Tensor2D,
    ];
    const notBackground = tf.sub(1, background);
    return tf.concat([tf.mul(foreground, notBackground), background], 1) as tf.Tensor2D;
  });
}
