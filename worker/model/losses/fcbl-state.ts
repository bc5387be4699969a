// FCBL's long-term indicator (spec 2.2): the cumulative soft confusion matrix M (C×C, `cm_numerator`) and the
// per-class positive count n (C, `num_gt`). Both start at zero when stage 2 begins, are never decayed, and
// grow only through applyFcblIncrements with increments summed over all ranks.
import * as tf from '@tensorflow/tfjs';
import { LossShapeError } from './errors.js';
import { assertPositiveInteger } from './validate.js';

/** A checkpointable copy of the FCBL state (row-major M). */
export interface FcblSnapshot {
  numClasses: number;
  /** M, C×C row-major: M[k*C + j] = summed softmax probability of class j on positives of class k. */
  confusion: Float32Array;
  /** n, length C: positives of each class seen so far (real and hallucinated, all ranks). */
  counts: Float32Array;
}

/** Owns M and n as non-trainable tf.Variables; dispose() when the training run ends. */
export class FcblState {
  readonly numClasses: number;
  /** M (`cm_numerator`). Read it through normalizedConfusion(); change it only through applyFcblIncrements. */
  readonly confusion: tf.Variable<tf.Rank.R2>;
  /** n (`num_gt`). */
  readonly counts: tf.Variable<tf.Rank.R1>;

  constructor(numClasses: number) {
    assertPositiveInteger('numClasses', numClasses);
    this.numClasses = numClasses;
    this.confusion = tf.variable(tf.zeros([numClasses, numClasses]), false);
    this.counts = tf.variable(tf.zeros([numClasses]), false);
  }

  /** A = M / max(n, 1) row-wise (`get_cm`): A[k, j] is the mean softmax probability of j on class-k positives. */
  normalizedConfusion(): tf.Tensor2D {
    return tf.tidy(() => tf.div(this.confusion, tf.reshape(tf.maximum(this.counts, 1), [-1, 1])));
  }

  /** diag(A), the per-class soft accuracy (`get_correct_cls_ratio`) that FHM samples classes by (spec 3.5). */
  softAccuracy(): tf.Tensor1D {
    const c = this.numClasses;
    // The diagonal of M is every (C+1)-th entry of its flattened form; no C×C identity is built.
    return tf.tidy(() => {
      const diagonal = tf.stridedSlice(
        tf.reshape(this.confusion, [-1]),
        [0],
        [c * c],
        [c + 1],
      ) as tf.Tensor1D;
      return tf.div(diagonal, tf.maximum(this.counts, 1));
    });
  }

  async snapshot(): Promise<FcblSnapshot> {
    const [confusion, counts] = await Promise.all([this.confusion.data(), this.counts.data()]);
    return {
      numClasses: this.numClasses,
      confusion: Float32Array.from(confusion),
      counts: Float32Array.from(counts),
    };
  }

  /** Overwrites M and n from a checkpoint taken with the same class count. */
  restore(snapshot: FcblSnapshot): void {
    const c = this.numClasses;
    if (snapshot.numClasses !== c || snapshot.confusion.length !== c * c || snapshot.counts.length !== c) {
      throw new LossShapeError(
        'snapshot',
        [snapshot.numClasses, snapshot.confusion.length, snapshot.counts.length],
        `numClasses ${c} with confusion of ${c * c} and counts of ${c} entries`,
      );
    }
    tf.tidy(() => {
      this.confusion.assign(tf.tensor2d(snapshot.confusion, [c, c]));
      this.counts.assign(tf.tensor1d(snapshot.counts));
    });
  }

  static fromSnapshot(snapshot: FcblSnapshot): FcblState {
    const state = new FcblState(snapshot.numClasses);
    state.restore(snapshot);
    return state;
  }

  dispose(): void {
    this.confusion.dispose();
    this.counts.dispose();
  }
}
