// FHM class draw, synthesis and use in FCBL (spec 3.5-3.6), with replayed randomness so every number is
// hand-computable.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  appendHallucinatedRows,
  disposeFcblIncrements,
  FcblState,
  fcblLoss,
  FhmState,
  hallucinate,
  LossShapeError,
  sampleHallucinationClasses,
  synthesizeFeatures,
} from '../../../../worker/internal.js';
import { bceTerm, expectClose, logit as L, replay, useCpuBackend, values } from '../../tf/helpers.js';
import { seededRng, standardNormals } from '../../../../common/index.js';

// Box-Muller: radius sqrt(−2·ln(1 − u1)), angle 2π·u2. With 1 − u1 = e^{−2} the radius is 2; with
// 1 − u1 = e^{−1/2} it is 1. u2 = 0, 0.25, 0.5 point along +x, +y, −x.
const RADIUS_2 = 1 - Math.exp(-2);
const RADIUS_1 = 1 - Math.exp(-0.5);

function stateWithStatistics(): FhmState {
  // μ rows [1, 2], [0, 0], [10, −10]; v rows [4, 9], [0, 0], [.25, 1]; class 1 has no statistics yet.
  return FhmState.fromSnapshot({
    numClasses: 3,
    featureDim: 2,
    means: Float32Array.from([1, 2, 0, 0, 10, -10]),
    variances: Float32Array.from([4, 9, 0, 0, 0.25, 1]),
    used: Uint8Array.from([1, 0, 1]),
  });
}

describe('FHM class draw and feature synthesis (spec 3.5-3.6)', () => {
  before(useCpuBackend);

  it('draws classes with probability ∝ 1 − soft accuracy by walking the CDF with sorted uniforms', () => {
    // a = [.5, 1, .75, .25] → 1 − a = [.5, 0, .25, .75], total 1.5 → π = [1/3, 0, 1/6, 1/2],
    // CDF [1/3, 1/3, 1/2, 1]. Sorted draws .1 | .34 .4 .49 | .9 → classes 0 | 2 2 2 | 3; class 1 never.
    const classes = sampleHallucinationClasses([0.5, 1, 0.75, 0.25], 5, replay([0.9, 0.1, 0.4, 0.34, 0.49]));
    expect(classes).to.deep.equal([0, 2, 2, 2, 3]);
  });

  it('draws uniformly when no statistics exist yet and nothing when every class is certain', () => {
    // a = 0 everywhere → π = 1/4 each: .2 → 0, .3 → 1, .6 → 2, .8 → 3.
    expect(sampleHallucinationClasses([0, 0, 0, 0], 4, replay([0.8, 0.2, 0.6, 0.3]))).to.deep.equal([
      0, 1, 2, 3,
    ]);
    expect(sampleHallucinationClasses([1, 1], 3, replay([0.1, 0.2, 0.3]))).to.deep.equal([]);
  });

  it('replays the same uniforms in [0, 1) for the same seed', () => {
    const first = Array.from({ length: 1000 }, seededRng(3));
    expect(Array.from({ length: 1000 }, seededRng(3))).to.deep.equal(first);
    expect(Array.from({ length: 1000 }, seededRng(4))).to.not.deep.equal(first);
    expect(first.every((u) => u >= 0 && u < 1)).to.equal(true);
    const mean = first.reduce((a, b) => a + b, 0) / first.length;
    expect(mean).to.be.closeTo(0.5, 0.05); // standard error sqrt(1/12/1000) ≈ 0.009
  });

  it('turns uniforms into normals by Box-Muller', () => {
    const normals = standardNormals(replay([RADIUS_2, 0, RADIUS_2, 0.25, RADIUS_1, 0.5]), 5);
    expectClose(Array.from(normals), [2, 0, 0, 2, -1], 1e-6, 'ξ');
  });

  it('synthesises μ_c + sqrt(v_c)·ξ per sample, skipping classes without statistics', () => {
    const state = stateWithStatistics();
    // classes [0, 1, 2], S = 2; class 1 skipped. ξ per row: [2, 0], [0, 2], [−2, 0], [1, 0].
    const rng = replay([RADIUS_2, 0, RADIUS_2, 0.25, RADIUS_2, 0.5, RADIUS_1, 0]);
    const { features, labels } = synthesizeFeatures(state, [0, 1, 2], 2, rng);
    expect(Array.from(labels)).to.deep.equal([0, 0, 2, 2]);
    // Class 0: sqrt(v) = [2, 3] → [1 + 2·2, 2], [1, 2 + 3·2]; class 2: sqrt(v) = [.5, 1] → [10 − 1, −10],
    // [10 + .5, −10]. No clipping at 0.
    expectClose(values(features), [5, 2, 1, 8, 9, -10, 10.5, -10], 1e-5, 'features');
    features.dispose();
    state.dispose();
  });

  it('combines the draw and the synthesis in hallucinate() with K and S from the options', () => {
    const state = stateWithStatistics();
    // a = [0, 0, 1]: π = [.5, .5, 0]; K = 2 draws .3 and .7 → classes 0 and 1; class 1 has no statistics,
    // so S = 3 samples of class 0 only.
    const { features, labels } = hallucinate(
      state,
      [0, 0, 1],
      replay([0.3, 0.7, ...new Array<number>(6).fill(0.5)]),
      {
        sampledClasses: 2,
        samplesPerClass: 3,
      },
    );
    expect(Array.from(labels)).to.deep.equal([0, 0, 0]);
    expect(features.shape).to.deep.equal([3, 2]);
    features.dispose();
    expect(() => hallucinate(state, [0, 0], seededRng(1))).to.throw(LossShapeError, /softAccuracy/);
    state.dispose();
  });
});

describe('hallucinated rows in FCBL (spec 3.6): through fc_cls only, counted as positives', () => {
  before(useCpuBackend);

  it('appends fc_cls(features) as positive rows: they enlarge N, get weights and update the LTI', () => {
    // C = 2. fc_cls: z = f·W + b with W = 0 and b = [L(.8), L(.5), L(.25)], so each hallucinated row has
    // z = b whatever its feature. One real background RoI with z = [0, 0, 0].
    const weight = tf.variable(tf.zeros([2, 3]));
    const bias = tf.variable(tf.tensor1d([L(0.8), L(0.5), L(0.25)]));
    const fcCls = (x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(x, weight), bias);
    const hallucinated = { features: tf.tensor2d([3, 1, -1, 2], [2, 2]), labels: Int32Array.from([0, 0]) };
    const fcbl = new FcblState(2);
    const realLabels = tf.tensor1d([2], 'int32');
    const realLogits = tf.zeros<tf.Rank.R2>([1, 3]);
    let increments: ReturnType<typeof fcblLoss>['increments'] | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const rows = appendHallucinatedRows(realLogits, realLabels, hallucinated, fcCls);
      expect(rows.logits.shape).to.deep.equal([3, 3]);
      expect(values(rows.labels)).to.deep.equal([2, 0, 0]);
      const result = fcblLoss(rows.logits, rows.labels, fcbl);
      increments = result.increments;
      return result.loss;
    });
    // Fresh LTI → no margins. Hallucinated row (class 0): q = [.8·.75, .5·.75] = [.6, .375]; column 1 is below
    // .6 and .7 → dropped. Row terms ℓ(L(.8),1) + ℓ(L(.25),0); the background row 2·ℓ(0,0) + ℓ(0,1). N = 3.
    const hallucinatedRow = bceTerm(L(0.8), 1) + bceTerm(L(0.25), 0);
    expect(value.dataSync()[0]).to.be.closeTo(
      (bceTerm(0, 0) * 2 + bceTerm(0, 1) + 2 * hallucinatedRow) / 3,
      1e-6,
    );
    // dL/dz on a hallucinated row = (1/3)·w·(σ − t) = (1/3)·[.8 − 1, 0, .25]; db sums both rows, and
    // dW = Σ_rows fᵀ·dz with f = [3, 1] and [−1, 2], i.e. (f1 + f2)ᵀ·dz = [2, 3]ᵀ·dz.
    const dz = [(0.8 - 1) / 3, 0, 0.25 / 3];
    expectClose(
      values(grads[bias.name]!),
      dz.map((g) => 2 * g),
      1e-6,
      'd bias',
    );
    expectClose(values(grads[weight.name]!), [...dz.map((g) => 2 * g), ...dz.map((g) => 3 * g)], 1e-6, 'd W');
    // The LTI counts both hallucinated rows as class-0 positives: softmax([L(.8), L(.5)]) = [4, 1]/5 each.
    expectClose(values(increments!.confusion), [2 * 0.8, 2 * 0.2, 0, 0], 1e-6, 'ΔM');
    expect(values(increments!.counts)).to.deep.equal([2, 0]);
    disposeFcblIncrements(increments!);
    tf.dispose([value, weight, bias, hallucinated.features, realLabels, realLogits, ...Object.values(grads)]);
    fcbl.dispose();
  });

  it('returns copies and never calls fc_cls when nothing was hallucinated', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 2, 3]]);
      const labels = tf.tensor1d([1], 'int32');
      const none = { features: tf.zeros<tf.Rank.R2>([0, 4]), labels: new Int32Array(0) };
      const rows = appendHallucinatedRows(logits, labels, none, () => {
        throw new Error('fc_cls must not run');
      });
      expect(values(rows.logits)).to.deep.equal([1, 2, 3]);
      expect(rows.logits).to.not.equal(logits);
    });
  });

  it('rejects an fc_cls of the wrong width and features that do not match their labels', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([[1, 2, 3]]);
      const labels = tf.tensor1d([1], 'int32');
      const one = { features: tf.ones<tf.Rank.R2>([1, 4]), labels: Int32Array.from([0]) };
      expect(() => appendHallucinatedRows(logits, labels, one, () => tf.ones([1, 5]))).to.throw(
        LossShapeError,
        /fcCls\(features\) has shape \[1, 5\]/,
      );
      const mismatched = { features: tf.ones<tf.Rank.R2>([2, 4]), labels: Int32Array.from([0]) };
      expect(() => appendHallucinatedRows(logits, labels, mismatched, () => tf.ones([2, 3]))).to.throw(
        LossShapeError,
        /hallucinated.features/,
      );
    });
  });
});
