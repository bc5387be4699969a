// Feature synthesis and its use in the loss (spec 3.5-3.6, reference `hallucinated_feature_generate` and
// `loss`): for each drawn class with statistics on this rank, S features f = μ_c + sqrt(v_c) ⊙ ξ, ξ ~ N(0, I),
// fresh noise per sample and no clipping at 0. They go through `fc_cls` only (no fc_reg, no box loss) and
// are appended under the RoI rows as positives of their class, so FCBL gives them margins and weights, counts
// them in N and adds them to its confusion statistics.
import * as tf from '@tensorflow/tfjs';
import { LossShapeError } from './errors.js';
import { DEFAULT_SAMPLED_CLASSES, sampleHallucinationClasses } from './fhm-class-sampling.js';
import type { FhmState } from './fhm-state.js';
import {
  assertLabelRange,
  assertLabelsMatchRows,
  assertPositiveInteger,
  foregroundClassCount,
} from './validate.js';
import { standardNormals, type UniformRng } from '../../../common/index.js';

/** S, features synthesised per drawn class (`sampled_num_features`: 12 in the configs, 4 in the code). */
export const DEFAULT_SAMPLES_PER_CLASS = 12;

export interface HallucinationOptions {
  /**
   * K, classes drawn per step. The reference draws 8 per GPU of 2 images; a rank with more images per step
   * should scale K (or S) to keep the ratio of hallucinated to real rows (gotcha 12). @default 8
   */
  sampledClasses?: number;
  /** S, features per drawn class. @default 12 */
  samplesPerClass?: number;
}

export interface HallucinatedFeatures {
  /** [R, D] constants (no gradient reaches them); R = S × the drawn classes that have statistics. */
  features: tf.Tensor2D;
  /** [R], the class of each row. */
  labels: Int32Array;
}

/** The classifier layer the hallucinated features go through: the RoI head's `fc_cls`, D → C+1. */
export type ClassifierLayer = (features: tf.Tensor2D) => tf.Tensor2D;

/**
 * One step of FHM: draws K classes by 1 − soft accuracy (`softAccuracy` = FcblState.softAccuracy() before
 * this step's increments), skips those without statistics on this rank, and synthesises S features for each.
 */
export function hallucinate(
  state: FhmState,
  softAccuracy: ArrayLike<number>,
  rng: UniformRng,
  options: HallucinationOptions = {},
): HallucinatedFeatures {
  if (softAccuracy.length !== state.numClasses) {
    throw new LossShapeError('softAccuracy', [softAccuracy.length], `[${state.numClasses}] (one per class)`);
  }
  const classes = sampleHallucinationClasses(
    softAccuracy,
    options.sampledClasses ?? DEFAULT_SAMPLED_CLASSES,
    rng,
  );
  return synthesizeFeatures(state, classes, options.samplesPerClass ?? DEFAULT_SAMPLES_PER_CLASS, rng);
}

/**
 * S samples per class in `classes` (in order; a class drawn twice is sampled twice) from the diagonal
 * Gaussians in `state`. Classes with u_c = 0 are skipped. Noise is drawn from `rng` class by class, sample by
 * sample, dimension by dimension.
 */
export function synthesizeFeatures(
  state: FhmState,
  classes: readonly number[],
  samplesPerClass: number,
  rng: UniformRng,
): HallucinatedFeatures {
  assertPositiveInteger('samplesPerClass', samplesPerClass);
  assertLabelRange(classes, state.numClasses, 'classes');
  const kept = classes.filter((c) => state.used[c] === 1);
  const labels = Int32Array.from(kept.flatMap((c) => Array<number>(samplesPerClass).fill(c)));
  const dim = state.featureDim;
  const noise = standardNormals(rng, labels.length * dim);
  const features = tf.tidy(() => {
    if (labels.length === 0) return tf.zeros<tf.Rank.R2>([0, dim]);
    const rows = tf.tensor1d(labels, 'int32');
    const deviation = tf.sqrt(tf.gather(state.variances, rows));
    return tf.add<tf.Tensor2D>(
      tf.gather(state.means, rows),
      tf.mul(deviation, tf.tensor2d(noise, [labels.length, dim])),
    );
  });
  return { features, labels };
}

/**
 * The RoI logits [N, C+1] and labels [N] with the hallucinated rows appended below them: logits through
 * `fcCls` only, labels as given. The result is what fcblLoss takes (N grows by R). Without hallucinated rows
 * `fcCls` is not called and copies of the inputs are returned, so the caller always owns fresh tensors.
 */
export function appendHallucinatedRows(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  hallucinated: HallucinatedFeatures,
  fcCls: ClassifierLayer,
): { logits: tf.Tensor2D; labels: tf.Tensor1D } {
  const numClasses = foregroundClassCount(logits);
  assertLabelsMatchRows(labels, logits.shape[0]);
  assertLabelRange(hallucinated.labels, numClasses, 'hallucinated.labels');
  if (hallucinated.features.shape[0] !== hallucinated.labels.length) {
    throw new LossShapeError(
      'hallucinated.features',
      hallucinated.features.shape,
      `[R, D] with R = ${hallucinated.labels.length} (one row per hallucinated label)`,
    );
  }
  if (hallucinated.labels.length === 0) return { logits: logits.clone(), labels: labels.clone() };
  return tf.tidy(() => {
    const extraLogits = fcCls(hallucinated.features);
    if (extraLogits.rank !== 2 || extraLogits.shape[1] !== numClasses + 1) {
      throw new LossShapeError('fcCls(features)', extraLogits.shape, `[R, ${numClasses + 1}] like logits`);
    }
    return {
      logits: tf.concat([logits, extraLogits], 0),
      labels: tf.concat([labels, tf.tensor1d(hallucinated.labels, 'int32')], 0),
    };
  });
}
