// FCBL, the Foreground Classification Balance Loss (spec section 2, reference `mmdet/models/losses/fcbl.py`):
//   L = (λ/N) · Σ_i Σ_j w_ij · ℓ(z_ij + m_ij, T_ij)
// with margins m from the long-term indicator (fcbl-margins.ts), 0/1 weights w from the short-term indicator
// (fcbl-weights.ts), N = every row handed in (sampled RoIs plus FHM's hallucinated rows; label weights and
// avg_factor are ignored, spec 2.5 and gotcha 6), and the LTI increments of this step returned, not applied.
import * as tf from '@tensorflow/tfjs';
import { oneHotFloat } from './one-hot.js';
import { bceWithLogits } from './bce-with-logits.js';
import { detach } from './detach.js';
import { LossShapeError } from './errors.js';
import { fcblIncrements } from './fcbl-increments.js';
import type { FcblIncrements } from './fcbl-increments.js';
import { pairwiseMargins } from './fcbl-margins.js';
import type { FcblState } from './fcbl-state.js';
import { shortTermWeights } from './fcbl-weights.js';
import { assertInRange, assertLabelsMatchRows, foregroundClassCount } from './validate.js';

export interface FcblOptions {
  /** α, the margin scale. @default 0.85 (the BACL configs; the reference code's default is 1.0) */
  alpha?: number;
  /** τ, the detection score at or above which a negative foreground class keeps its loss. @default 0.7 */
  probThreshold?: number;
  /** λ, the loss weight. @default 1 */
  lossWeight?: number;
  /**
   * Whether the short-term weights are on (`reweight`). ReweightHook(step=1) turns them on before the first
   * stage-2 iteration, so they are on throughout BACL; false gives all-ones weights. @default true
   */
  reweight?: boolean;
  /** ε, the floor on A entries inside the log-ratio (hard-coded 1e-3 in the reference). @default 0.001 */
  clampEpsilon?: number;
}

export const FCBL_DEFAULTS: Required<FcblOptions> = {
  alpha: 0.85,
  probThreshold: 0.7,
  lossWeight: 1,
  reweight: true,
  clampEpsilon: 1e-3,
};

export interface FcblResult {
  /** The scalar loss; differentiable in `logits` (margins and weights are constants). */
  loss: tf.Scalar;
  /**
   * This rank's LTI increments from the raw logits of this step. They are kept (tf.keep) so they survive the
   * tidy that tf.variableGrads runs the forward in; the caller sums them over ranks, applies the sum with
   * applyFcblIncrements after the step, and disposes them.
   */
  increments: FcblIncrements;
}

/**
 * FCBL on `logits` [N, C+1] float32 (column C is background) and `labels` [N] int32 in [0, C], with margins
 * taken from `state` as it stands before this step. `state` is not modified.
 */
export function fcblLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  state: FcblState,
  options: FcblOptions = {},
): FcblResult {
  const numClasses = foregroundClassCount(logits);
  const rows = logits.shape[0];
  assertLabelsMatchRows(labels, rows);
  if (numClasses !== state.numClasses) {
    throw new LossShapeError('logits', logits.shape, `[N, ${state.numClasses + 1}] to match the FCBL state`);
  }
  const settings = resolveOptions(options);
  const [loss, confusion, counts] = tf.tidy((): [tf.Scalar, tf.Tensor2D, tf.Tensor1D] => {
    const raw = detach(logits);
    const positive = tf.cast(tf.less(labels, numClasses), 'float32') as tf.Tensor1D;
    const margins = pairwiseMargins(
      state.normalizedConfusion(),
      labels,
      positive,
      settings.alpha,
      settings.clampEpsilon,
    );
    const weights = settings.reweight
      ? shortTermWeights(raw, labels, positive, settings.probThreshold)
      : tf.onesLike(logits);
    const targets = oneHotFloat(labels, numClasses + 1);
    const perElement = tf.mul(weights, bceWithLogits(tf.add(logits, margins), targets));
    // max(N, 1): an empty batch gives a zero loss, as mmdet skips the cls loss when there are no rows.
    const loss = tf.mul<tf.Scalar>(tf.div(tf.sum(perElement), Math.max(rows, 1)), settings.lossWeight);
    const increments = fcblIncrements(raw, labels);
    return [loss, tf.keep(increments.confusion), tf.keep(increments.counts)];
  });
  return { loss, increments: { confusion, counts } };
}

function resolveOptions(options: FcblOptions): Required<FcblOptions> {
  const settings = { ...FCBL_DEFAULTS, ...options };
  assertInRange('alpha', settings.alpha, 0, Number.MAX_VALUE);
  // The reference asserts 0 < prob_thr < 1.
  assertInRange('probThreshold', settings.probThreshold, 0, 1, { min: true, max: true });
  assertInRange('lossWeight', settings.lossWeight, 0, Number.MAX_VALUE);
  assertInRange('clampEpsilon', settings.clampEpsilon, 0, 1, { min: true });
  return settings;
}
