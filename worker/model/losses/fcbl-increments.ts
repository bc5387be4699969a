// The per-step update of FCBL's long-term indicator (spec 2.2, recipe 2.7 step 7, reference `update_cm`):
// ΔM = one_hot(y_P, C)ᵀ · softmax(z_P[:, 0:C]) and Δn = histogram(y_P), from detached raw logits (no margin,
// background logit excluded), over every positive row, hallucinated ones included. In data-parallel training
// every rank computes its own increments, they are summed over all ranks, and only the sum is applied, after
// the loss: M += ΣΔM, n += ΣΔn. FHM's statistics are the opposite (local, never summed; see fhm-state.ts).
import * as tf from '@tensorflow/tfjs';
import { LossShapeError } from './errors.js';
import type { FcblState } from './fcbl-state.js';

/** One rank's (or the all-ranks sum of) LTI increments. The holder disposes them after applying. */
export type FcblIncrements = {
  /** ΔM [C, C]. */
  confusion: tf.Tensor2D;
  /** Δn [C]. */
  counts: tf.Tensor1D;
};

/**
 * Increments from `detachedLogits` [N, C+1] and `labels` [N] int32 in [0, C]. Background rows contribute
 * nothing, so a batch without positives gives zeros: applying them is the reference's "skip when |P| = 0".
 */
export function fcblIncrements(detachedLogits: tf.Tensor2D, labels: tf.Tensor1D): FcblIncrements {
  const [rows, columns] = detachedLogits.shape;
  const numClasses = columns - 1;
  return tf.tidy(() => {
    // one_hot(y)ᵀ·P as a scatter-add of each row's probabilities into row y of a (C+1)×C matrix, whose last
    // row (background RoIs) is then cut off. scatterND sums duplicate indices on every backend; the matMul
    // form would need transposeA, which wasm runs in naive loops (tfjs-notes §4.1), and is O(N·C²).
    const rowIndices = tf.reshape(labels, [rows, 1]);
    const probabilities = tf.softmax(tf.slice(detachedLogits, [0, 0], [rows, numClasses]), 1);
    const confusion = tf.scatterND<tf.Rank.R2>(rowIndices, probabilities, [columns, numClasses]);
    const counts = tf.scatterND<tf.Rank.R1>(rowIndices, tf.ones([rows]), [columns]);
    return {
      confusion: tf.slice(confusion, [0, 0], [numClasses, numClasses]),
      counts: tf.slice(counts, [0], [numClasses]),
    };
  });
}

/** The element-wise sum of several ranks' increments (what an all-reduce produces). */
export function sumFcblIncrements(parts: readonly FcblIncrements[]): FcblIncrements {
  const first = parts[0];
  if (first === undefined) throw new LossShapeError('parts', [0], 'at least one FcblIncrements to sum');
  for (const [index, part] of parts.entries())
    assertIncrementShape(part, first.counts.shape[0], `parts[${index}]`);
  return tf.tidy(() => ({
    confusion: tf.addN<tf.Tensor2D>(parts.map((part) => part.confusion)),
    counts: tf.addN<tf.Tensor1D>(parts.map((part) => part.counts)),
  }));
}

/** M += ΔM, n += Δn with increments already summed over all ranks. Does not dispose `summed`. */
export function applyFcblIncrements(state: FcblState, summed: FcblIncrements): void {
  assertIncrementShape(summed, state.numClasses, 'summed');
  tf.tidy(() => {
    state.confusion.assign(tf.add(state.confusion, summed.confusion));
    state.counts.assign(tf.add(state.counts, summed.counts));
  });
}

/** Flat copies for an all-reduce over the wire (ΔM row-major, then Δn). */
export async function fcblIncrementsToArrays(
  increments: FcblIncrements,
): Promise<{ confusion: Float32Array; counts: Float32Array }> {
  const [confusion, counts] = await Promise.all([increments.confusion.data(), increments.counts.data()]);
  return { confusion: Float32Array.from(confusion), counts: Float32Array.from(counts) };
}

/** Tensors back from flat all-reduced arrays, for applyFcblIncrements. */
export function fcblIncrementsFromArrays(
  numClasses: number,
  arrays: { confusion: Float32Array; counts: Float32Array },
): FcblIncrements {
  if (arrays.confusion.length !== numClasses * numClasses || arrays.counts.length !== numClasses) {
    throw new LossShapeError(
      'arrays',
      [arrays.confusion.length, arrays.counts.length],
      `${numClasses * numClasses} confusion and ${numClasses} count entries`,
    );
  }
  return {
    confusion: tf.tensor2d(arrays.confusion, [numClasses, numClasses]),
    counts: tf.tensor1d(arrays.counts),
  };
}

export function disposeFcblIncrements(increments: FcblIncrements): void {
  increments.confusion.dispose();
  increments.counts.dispose();
}

function assertIncrementShape(increments: FcblIncrements, numClasses: number, input: string): void {
  const { confusion, counts } = increments;
  if (confusion.shape[0] !== numClasses || confusion.shape[1] !== numClasses) {
    throw new LossShapeError(`${input}.confusion`, confusion.shape, `[${numClasses}, ${numClasses}]`);
  }
  if (counts.rank !== 1 || counts.shape[0] !== numClasses) {
    throw new LossShapeError(`${input}.counts`, counts.shape, `[${numClasses}]`);
  }
}
