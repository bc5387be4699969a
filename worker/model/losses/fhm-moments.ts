// Per-class moments of one step's statistics embeddings (spec 3.4 step 1, reference
// `per_cls_feature_distribution_collect`): for each class present, the mean and the per-dimension *unbiased*
// variance (denominator n_c − 1; 0 when n_c = 1, where the reference falls back to the biased variance 0).
// Two passes (mean first, then squared deviations) keep float32 accurate when the variance is small. Sums per
// class are scatter-adds (tf.scatterND): wasm has no UnsortedSegmentSum kernel and the cpu one is
// O(segments × rows) (tfjs-notes §2, §4.1).
import * as tf from '@tensorflow/tfjs';
import { LossShapeError } from './errors.js';
import { assertLabelRange } from './validate.js';

export interface ClassMoments {
  /** The classes present, ascending; row s of `means`/`variances` belongs to classes[s]. */
  classes: Int32Array;
  /** How many embeddings each present class had. */
  counts: Int32Array;
  /** [classes.length, D]. */
  means: tf.Tensor2D;
  /** [classes.length, D], unbiased. */
  variances: tf.Tensor2D;
}

/** Moments of `embeddings` [M, D] grouped by `labels` (length M, classes in [0, numClasses)). */
export function classMoments(
  embeddings: tf.Tensor2D,
  labels: ArrayLike<number>,
  numClasses: number,
): ClassMoments {
  if (embeddings.rank !== 2 || embeddings.shape[0] !== labels.length) {
    throw new LossShapeError(
      'embeddings',
      embeddings.shape,
      `[M, D] with M = ${labels.length} (one per label)`,
    );
  }
  assertLabelRange(labels, numClasses);
  const classes = Int32Array.from(new Set(Array.from(labels))).sort();
  const slotOf = new Map(Array.from(classes, (c, slot) => [c, slot] as const));
  const slots = Int32Array.from(labels, (label) => slotOf.get(label) ?? 0);
  const counts = new Int32Array(classes.length);
  for (const slot of slots) counts[slot] = (counts[slot] ?? 0) + 1;
  const { means, variances } = tf.tidy(() => {
    const slotIds = tf.tensor1d(slots, 'int32');
    const slotIndices = tf.reshape(slotIds, [-1, 1]);
    const sumShape = [classes.length, embeddings.shape[1]];
    const countColumn = tf.tensor2d(Float32Array.from(counts), [classes.length, 1]);
    const means = tf.div(tf.scatterND(slotIndices, embeddings, sumShape), countColumn);
    const deviations = tf.sub(embeddings, tf.gather(means, slotIds));
    const squares = tf.scatterND(slotIndices, tf.square(deviations), sumShape);
    const variances = tf.div(squares, tf.maximum(tf.sub(countColumn, 1), 1));
    return { means: means as tf.Tensor2D, variances: variances as tf.Tensor2D };
  });
  return { classes, counts, means, variances };
}
