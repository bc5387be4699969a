// FHM's per-class diagonal Gaussians of the 1024-d cls embedding (spec 3.2 and 3.4): means μ (C×D,
// `feature_prototype`), variances v (C×D, `feature_variance`) and the 0/1 "initialised" flags u (C,
// `feature_used`). Unlike FCBL's confusion matrix these are per rank and never summed: each rank updates its
// own copy from its own images (spec 3.2, gotcha 12), so observe() applies at once and exposes no increments.
import * as tf from '@tensorflow/tfjs';
import { LossShapeError } from './errors.js';
import { classMoments } from './fhm-moments.js';
import { assertInRange, assertPositiveInteger } from './validate.js';

/** β, the weight of the new batch in the running statistics (`decay_ratio`). */
export const DEFAULT_FHM_DECAY = 0.1;

/** A checkpointable copy of one rank's FHM state (the reference checkpoints rank 0's). */
export interface FhmSnapshot {
  numClasses: number;
  featureDim: number;
  /** μ, C×D row-major. */
  means: Float32Array;
  /** v, C×D row-major. */
  variances: Float32Array;
  /** u, length C, 0 or 1. */
  used: Uint8Array;
}

/** Owns μ and v as non-trainable tf.Variables and u on the CPU; dispose() when training ends. */
export class FhmState {
  readonly numClasses: number;
  readonly featureDim: number;
  /** β: μ_c ← β·μ̂ + (1−β)·μ_c once class c has statistics. */
  readonly decay: number;
  readonly means: tf.Variable<tf.Rank.R2>;
  readonly variances: tf.Variable<tf.Rank.R2>;
  /** u_c = 1 once class c has been observed on this rank; hallucination skips classes with u_c = 0. */
  readonly used: Uint8Array;

  constructor(numClasses: number, featureDim: number, decay: number = DEFAULT_FHM_DECAY) {
    assertPositiveInteger('numClasses', numClasses);
    assertPositiveInteger('featureDim', featureDim);
    assertInRange('decay', decay, 0, 1);
    this.numClasses = numClasses;
    this.featureDim = featureDim;
    this.decay = decay;
    this.means = tf.variable(tf.zeros([numClasses, featureDim]), false);
    this.variances = tf.variable(tf.zeros([numClasses, featureDim]), false);
    this.used = new Uint8Array(numClasses);
  }

  /**
   * Folds one step's statistics embeddings [M, D] (the no-grad cls embeddings of the jittered GT boxes) with
   * their labels into the running statistics (spec 3.4): a class seen for the first time takes the batch
   * moments as they are; a class with statistics moves by β towards them; absent classes stay unchanged.
   */
  observe(embeddings: tf.Tensor2D, labels: ArrayLike<number>): void {
    if (
      embeddings.rank !== 2 ||
      embeddings.shape[1] !== this.featureDim ||
      embeddings.shape[0] !== labels.length
    ) {
      throw new LossShapeError(
        'embeddings',
        embeddings.shape,
        `[M, ${this.featureDim}] with M = ${labels.length}`,
      );
    }
    if (labels.length === 0) return;
    const moments = classMoments(embeddings, labels, this.numClasses);
    const present = moments.classes.length;
    // Per present class, the weight of the batch moments (1 on first sight, β after) and of the old value;
    // the complement is taken in float64 so (1 − β) rounds once, as in the reference.
    const batchWeight = Float32Array.from(moments.classes, (c) => (this.used[c] === 1 ? this.decay : 1));
    const oldWeight = Float32Array.from(moments.classes, (c) => (this.used[c] === 1 ? 1 - this.decay : 0));
    tf.tidy(() => {
      const rows = tf.tensor1d(moments.classes, 'int32');
      const newWeight = tf.tensor2d(batchWeight, [present, 1]);
      const keepWeight = tf.tensor2d(oldWeight, [present, 1]);
      const indices = tf.reshape(rows, [-1, 1]);
      // 1 on the rows of absent classes, 0 on present ones: running·absent + scatter(updated) is exact on both.
      const absent = tf.sub(1, tf.scatterND(indices, tf.ones([present, 1]), [this.numClasses, 1]));
      const blend = (running: tf.Variable<tf.Rank.R2>, batch: tf.Tensor2D): tf.Tensor2D => {
        const updated = tf.add(tf.mul(batch, newWeight), tf.mul(tf.gather(running, rows), keepWeight));
        return tf.add(tf.mul(running, absent), tf.scatterND(indices, updated, running.shape));
      };
      this.means.assign(blend(this.means, moments.means));
      this.variances.assign(blend(this.variances, moments.variances));
    });
    moments.means.dispose();
    moments.variances.dispose();
    for (const c of moments.classes) this.used[c] = 1;
  }

  async snapshot(): Promise<FhmSnapshot> {
    const [means, variances] = await Promise.all([this.means.data(), this.variances.data()]);
    return {
      numClasses: this.numClasses,
      featureDim: this.featureDim,
      means: Float32Array.from(means),
      variances: Float32Array.from(variances),
      used: Uint8Array.from(this.used),
    };
  }

  /** Overwrites μ, v and u from a checkpoint taken with the same class count and feature size. */
  restore(snapshot: FhmSnapshot): void {
    const { numClasses: c, featureDim: d } = this;
    const size = c * d;
    if (
      snapshot.numClasses !== c ||
      snapshot.featureDim !== d ||
      snapshot.means.length !== size ||
      snapshot.variances.length !== size ||
      snapshot.used.length !== c
    ) {
      throw new LossShapeError(
        'snapshot',
        [snapshot.numClasses, snapshot.featureDim],
        `numClasses ${c} and featureDim ${d} with ${size} means, ${size} variances and ${c} used flags`,
      );
    }
    tf.tidy(() => {
      this.means.assign(tf.tensor2d(snapshot.means, [c, d]));
      this.variances.assign(tf.tensor2d(snapshot.variances, [c, d]));
    });
    this.used.set(snapshot.used);
  }

  static fromSnapshot(snapshot: FhmSnapshot, decay: number = DEFAULT_FHM_DECAY): FhmState {
    const state = new FhmState(snapshot.numClasses, snapshot.featureDim, decay);
    state.restore(snapshot);
    return state;
  }

  dispose(): void {
    this.means.dispose();
    this.variances.dispose();
  }
}
