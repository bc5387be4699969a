// FCBL on a hand-built batch (spec section 2). Every expected number below is written from the spec's formulas;
// the comments carry the arithmetic.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  applyFcblIncrements,
  disposeFcblIncrements,
  FcblState,
  fcblLoss,
  LossOptionError,
  LossShapeError,
  pairwiseMargins,
  shortTermWeights,
  sigmoidBceLoss,
} from '../../../../worker/internal.js';
import { bceTerm, expectClose, logit as L, useCpuBackend, values } from '../../tf/helpers.js';

const ALPHA = 0.85;
const EPS = 1e-3;
const C = 3; // columns 0..2 foreground, 3 background

// LTI before the step: n = [4, 2, 0] and M rows [3, .5, .5], [1, 1, 0], [0, 0, 0], so A = M / max(n, 1) is
// [[.75, .125, .125], [.5, .5, 0], [0, 0, 0]].
const M_BEFORE = [3, 0.5, 0.5, 1, 1, 0, 0, 0, 0];
const N_BEFORE = [4, 2, 0];

// Rows: class 0, class 1, background, class 2 (e.g. a hallucinated row: FCBL treats it the same).
const LABELS = [0, 1, 3, 2];
const LOGITS = [
  [L(0.8), L(0.9), L(0.2), L(0.25)],
  [L(0.8), L(0.9), L(0.5), L(0.1)],
  [L(0.3), L(0.6), L(0.05), L(0.7)],
  [L(0.5), L(0.25), L(0.5), L(0.2)],
];

// m_ij = α[ln max(A[y,j], ε) − ln max(A[j,y], ε)] on positive rows' foreground columns, else 0.
const MARGINS = [
  [0, ALPHA * Math.log(0.125 / 0.5), ALPHA * Math.log(0.125 / EPS), 0], // A02 = .125, A20 = 0 → ε
  [ALPHA * Math.log(0.5 / 0.125), 0, ALPHA * Math.log(EPS / EPS), 0], // A12 = A21 = 0 → both ε
  [0, 0, 0, 0], // background row
  [ALPHA * Math.log(EPS / 0.125), ALPHA * Math.log(EPS / EPS), 0, 0],
];

// q_j = σ(z_j)·(1 − σ(z_bg)); w = 1 where q_j >= q_y or q_j >= 0.7 or j = bg (positive rows), 1 elsewhere.
//   row 0: 1 − σbg = .75, q = [.6, .675, .15], q_y = .6: .675 >= .6 kept, .15 dropped.
//   row 1: 1 − σbg = .9, q = [.72, .81, .45], q_y = .81: .72 < .81 but >= .7 kept, .45 dropped.
//   row 3: 1 − σbg = .8, q = [.4, .2, .4], q_y = .4: column 0 ties the GT (>=) kept, .2 dropped.
const WEIGHTS = [
  [1, 1, 0, 1],
  [1, 1, 0, 1],
  [1, 1, 1, 1],
  [1, 0, 1, 1],
];

// L = (1/N) Σ w·ℓ(z + m, t) with N = 4 rows.
const KEPT_TERMS = [
  bceTerm(L(0.8), 1) + bceTerm(L(0.9) + ALPHA * Math.log(0.25), 0) + bceTerm(L(0.25), 0),
  bceTerm(L(0.8) + ALPHA * Math.log(4), 0) + bceTerm(L(0.9), 1) + bceTerm(L(0.1), 0),
  bceTerm(L(0.3), 0) + bceTerm(L(0.6), 0) + bceTerm(L(0.05), 0) + bceTerm(L(0.7), 1),
  bceTerm(L(0.5) + ALPHA * Math.log(0.008), 0) + bceTerm(L(0.5), 1) + bceTerm(L(0.2), 0),
].reduce((a, b) => a + b);
// The three w = 0 terms, which only count with reweight off.
const DROPPED_TERMS =
  bceTerm(L(0.2) + ALPHA * Math.log(125), 0) + bceTerm(L(0.5) + 0, 0) + bceTerm(L(0.25) + 0, 0);

// ΔM rows: softmax of a row of log-odds is its odds normalised. Row 0: odds [4, 9, .25] / 13.25; row 1:
// [4, 9, 1] / 14; row 3 (class 2): [1, 1/3, 1] / (7/3). The background row adds nothing. Δn = [1, 1, 1].
const DELTA_M = [4 / 13.25, 9 / 13.25, 0.25 / 13.25, 4 / 14, 9 / 14, 1 / 14, 3 / 7, 1 / 7, 3 / 7];

function stateBefore(): FcblState {
  return FcblState.fromSnapshot({
    numClasses: C,
    confusion: Float32Array.from(M_BEFORE),
    counts: Float32Array.from(N_BEFORE),
  });
}

describe('FCBL (spec section 2) on a hand-built batch', () => {
  let state: FcblState;
  before(useCpuBackend);
  beforeEach(() => (state = stateBefore()));
  afterEach(() => state.dispose());

  it('normalises the LTI as A = M / max(n, 1) and reads the soft accuracy diag(A)', () => {
    tf.tidy(() => {
      expectClose(values(state.normalizedConfusion()), [0.75, 0.125, 0.125, 0.5, 0.5, 0, 0, 0, 0], 1e-7, 'A');
      expectClose(values(state.softAccuracy()), [0.75, 0.5, 0], 1e-7, 'diag(A)');
    });
  });

  it('builds the pairwise margins from A with the ε clamp, zero on background rows and column', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const positive = tf.tensor1d([1, 1, 0, 1]);
      const margins = pairwiseMargins(state.normalizedConfusion(), labels, positive, ALPHA, EPS);
      expectClose(values(margins), MARGINS.flat(), 1e-5, 'm');
    });
  });

  it('keeps the GT, background, confusing (q >= q_y) and confident (q >= τ) columns only', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const weights = shortTermWeights(tf.tensor2d(LOGITS), labels, tf.tensor1d([1, 1, 0, 1]), 0.7);
      expect(values(weights)).to.deep.equal(WEIGHTS.flat());
    });
  });

  it('gives L = (1/N) Σ w·ℓ(z + m, t) with N counting every row', () => {
    const { loss, increments } = fcblLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'), state, {
      alpha: ALPHA,
    });
    expect(loss.dataSync()[0]).to.be.closeTo(KEPT_TERMS / 4, 1e-5);
    tf.dispose(loss);
    disposeFcblIncrements(increments);
  });

  it('keeps every column when reweight is off, and scales by λ', () => {
    const { loss, increments } = fcblLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'), state, {
      alpha: ALPHA,
      reweight: false,
      lossWeight: 2,
    });
    expect(loss.dataSync()[0]).to.be.closeTo((2 * (KEPT_TERMS + DROPPED_TERMS)) / 4, 1e-5);
    tf.dispose(loss);
    disposeFcblIncrements(increments);
  });

  it('has dL/dz = (λ/N)·w·(σ(z + m) − t) with margins and weights as constants (spec 2.5)', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const gradient = tf.grad((z: tf.Tensor) => {
        const { loss, increments } = fcblLoss(z as tf.Tensor2D, labels, state, { alpha: ALPHA });
        disposeFcblIncrements(increments);
        return loss;
      })(tf.tensor2d(LOGITS));
      const expected = LOGITS.flatMap((row, i) =>
        row.map((z, j) => {
          const target = j === LABELS[i] ? 1 : 0;
          const s = z + (MARGINS[i]?.[j] ?? 0);
          return ((WEIGHTS[i]?.[j] ?? 0) * (1 / (1 + Math.exp(-s)) - target)) / 4;
        }),
      );
      expectClose(values(gradient), expected, 1e-6, 'dL/dz');
    });
  });

  it('returns ΔM = one_hot(y_P)ᵀ·softmax(z_P[:, :C]) and Δn without touching the state', () => {
    const { loss, increments } = fcblLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'), state);
    expectClose(values(increments.confusion), DELTA_M, 1e-6, 'ΔM');
    expect(values(increments.counts)).to.deep.equal([1, 1, 1]);
    expectClose(values(state.confusion), M_BEFORE, 0, 'M unchanged by the loss');
    expect(values(state.counts)).to.deep.equal(N_BEFORE);
    tf.dispose(loss);
    disposeFcblIncrements(increments);
  });

  it('applies M += ΔM, n += Δn after the loss, which moves the next margins and soft accuracy', () => {
    const { loss, increments } = fcblLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'), state);
    applyFcblIncrements(state, increments);
    disposeFcblIncrements(increments);
    tf.dispose(loss);
    expectClose(
      values(state.confusion),
      M_BEFORE.map((m, i) => m + (DELTA_M[i] ?? 0)),
      1e-6,
      'M after',
    );
    expect(values(state.counts)).to.deep.equal([5, 3, 1]);
    // diag(A) = [(3 + 4/13.25)/5, (1 + 9/14)/3, (0 + 3/7)/1]
    const accuracy = state.softAccuracy();
    expectClose(values(accuracy), [(3 + 4 / 13.25) / 5, (1 + 9 / 14) / 3, 3 / 7], 1e-6, 'diag(A) after');
    accuracy.dispose();
  });

  it('has zero margins on a fresh state, so with reweight off it equals stage-1 BCE over N rows', () => {
    const fresh = new FcblState(C);
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const { loss, increments } = fcblLoss(tf.tensor2d(LOGITS), labels, fresh, { reweight: false });
      disposeFcblIncrements(increments);
      const bce = sigmoidBceLoss(tf.tensor2d(LOGITS), labels);
      expect(loss.dataSync()[0]).to.be.closeTo(bce.dataSync()[0] ?? Number.NaN, 1e-6);
    });
    fresh.dispose();
  });

  it('gives zero increments for a batch without positives', () => {
    const { loss, increments } = fcblLoss(tf.tensor2d([[0, 1, 2, 3]]), tf.tensor1d([3], 'int32'), state);
    expect(values(increments.confusion)).to.deep.equal(new Array(9).fill(0));
    expect(values(increments.counts)).to.deep.equal([0, 0, 0]);
    tf.dispose(loss);
    disposeFcblIncrements(increments);
  });

  it('rejects a state of another class count, bad labels and out-of-range options', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(LOGITS);
      const labels = tf.tensor1d(LABELS, 'int32');
      const other = new FcblState(5);
      expect(() => fcblLoss(logits, labels, other)).to.throw(
        LossShapeError,
        /\[N, 6\] to match the FCBL state/,
      );
      other.dispose();
      expect(() => fcblLoss(logits, tf.tensor1d([0, 1], 'int32'), state)).to.throw(LossShapeError, /labels/);
      expect(() => fcblLoss(logits, labels, state, { probThreshold: 1 }))
        .to.throw(LossOptionError)
        .with.property('option', 'probThreshold');
      expect(() => fcblLoss(logits, labels, state, { alpha: -1 })).to.throw(LossOptionError, /alpha/);
    });
  });
});
