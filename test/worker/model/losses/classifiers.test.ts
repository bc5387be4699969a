import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  detectionScores,
  LossShapeError,
  LossOptionError,
  priorBias,
  sigmoidBceLoss,
  softmaxCrossEntropyLoss,
} from '../../../../worker/internal.js';
import { centralDifferences, expectClose, logit, sigmoid, useCpuBackend, values } from '../../tf/helpers.js';

// Two RoIs over C = 2 foreground classes (columns 0, 1) and background (column 2):
// row 0 is class 0 with z = [0, ln 3, −ln 3]; row 1 is background with z = [ln 3, 0, 0].
const LOGITS = [
  [0, Math.log(3), -Math.log(3)],
  [Math.log(3), 0, 0],
];
const LABELS = [0, 2];
// Per-row BCE sums by hand: ℓ(s,1) = ln(1+e^{−s}), ℓ(s,0) = ln(1+e^{s}).
const ROW0_BCE = Math.log(2) + Math.log(4) + Math.log(4 / 3); // ℓ(0,1) + ℓ(ln3,0) + ℓ(−ln3,0)
const ROW1_BCE = Math.log(4) + Math.log(2) + Math.log(2); // ℓ(ln3,0) + ℓ(0,0) + ℓ(0,1)

describe('classifiers: stage-1 sigmoid BCE, baseline softmax CE, activation', () => {
  before(useCpuBackend);

  it('gives the prior bias −ln((1−p)/p), ≈ −6.9068 at p = 0.001 (spec 1.2)', () => {
    expect(priorBias()).to.be.closeTo(-6.9068, 1e-4);
    expect(priorBias(0.01)).to.be.closeTo(-Math.log(99), 1e-12);
    expect(sigmoid(priorBias(0.001))).to.be.closeTo(0.001, 1e-12);
    expect(() => priorBias(1)).to.throw(LossOptionError);
  });

  it('scores foreground columns σ(z_c)·(1 − σ(z_bg)) and keeps σ(z_bg) (spec 2.6)', () => {
    const z = tf.tensor2d([[logit(0.5), logit(0.75), logit(0.25)]]);
    // [0.5·0.75, 0.75·0.75, 0.25]
    expectClose(values(detectionScores(z)), [0.375, 0.5625, 0.25], 1e-6, 'scores');
    tf.dispose(z);
  });

  it('sums BCE over all C+1 columns and divides by the RoI count (spec 1.3)', () => {
    tf.tidy(() => {
      const loss = sigmoidBceLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'));
      expect(loss.dataSync()[0]).to.be.closeTo((ROW0_BCE + ROW1_BCE) / 2, 1e-6);
    });
  });

  it('scales rows by their label weight and divides by max(#weights > 0, 1), times λ', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d(LOGITS);
      const labels = tf.tensor1d(LABELS, 'int32');
      const onlyFirst = sigmoidBceLoss(logits, labels, { labelWeights: tf.tensor1d([1, 0]) });
      expect(onlyFirst.dataSync()[0]).to.be.closeTo(ROW0_BCE / 1, 1e-6);
      const weighted = sigmoidBceLoss(logits, labels, { labelWeights: tf.tensor1d([2, 0.5]), lossWeight: 3 });
      expect(weighted.dataSync()[0]).to.be.closeTo((3 * (2 * ROW0_BCE + 0.5 * ROW1_BCE)) / 2, 1e-5);
      const none = sigmoidBceLoss(logits, labels, { labelWeights: tf.tensor1d([0, 0]) });
      expect(none.dataSync()[0]).to.equal(0); // avg_factor max(0, 1) = 1, numerator 0
    });
  });

  it('has the BCE gradient w·(σ(z) − t)/avg_factor, also at z = 0 exactly', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const gradient = tf.grad((z: tf.Tensor) => sigmoidBceLoss(z as tf.Tensor2D, labels))(
        tf.tensor2d(LOGITS),
      );
      // σ(0) − 1 = −0.5 at the GT column of row 0, where autodiff through max(s,0) and |s| would give −1.
      const expected = [
        [0.5 - 1, 0.75, 0.25],
        [0.75, 0.5, 0.5 - 1],
      ].flat();
      expectClose(
        values(gradient),
        expected.map((g) => g / 2),
        1e-6,
        'dL/dz',
      );
      const numeric = centralDifferences((z) => sigmoidBceLoss(z, labels), LOGITS, 1e-2);
      // float32 loss ≈ 2.3: round-off ≈ 2.3·6e-8/(2·0.01) ≈ 7e-6; truncation h²/6·|ℓ'''| ≤ 1e-4/6·0.1/2 ≈ 1e-6.
      expectClose(numeric, values(gradient), 1e-4, 'finite differences');
    });
  });

  it('averages softmax CE over C+1 classes by the RoI count (spec 1.5)', () => {
    tf.tidy(() => {
      const loss = softmaxCrossEntropyLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'));
      // Row 0: ln(e^0 + 3 + 1/3) − 0; row 1: ln(3 + 1 + 1) − 0.
      expect(loss.dataSync()[0]).to.be.closeTo((Math.log(13 / 3) + Math.log(5)) / 2, 1e-6);
      const weighted = softmaxCrossEntropyLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS, 'int32'), {
        labelWeights: tf.tensor1d([0, 4]),
      });
      expect(weighted.dataSync()[0]).to.be.closeTo((4 * Math.log(5)) / 1, 1e-5);
    });
  });

  it('has the softmax CE gradient (softmax − onehot)/N', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const gradient = tf.grad((z: tf.Tensor) => softmaxCrossEntropyLoss(z as tf.Tensor2D, labels))(
        tf.tensor2d(LOGITS),
      );
      const row0 = [1, 3, 1 / 3].map((e) => e / (13 / 3));
      const row1 = [3, 1, 1].map((e) => e / 5);
      const expected = [row0[0]! - 1, row0[1]!, row0[2]!, row1[0]!, row1[1]!, row1[2]! - 1].map((g) => g / 2);
      expectClose(values(gradient), expected, 1e-6, 'dL/dz');
      // Same float32 error budget as the BCE check above (loss ≈ 1.5).
      const numeric = centralDifferences((z) => softmaxCrossEntropyLoss(z, labels), LOGITS, 1e-2);
      expectClose(numeric, values(gradient), 1e-4, 'finite differences');
    });
  });

  it('names the offending tensor and shape', () => {
    tf.tidy(() => {
      const labels = tf.tensor1d(LABELS, 'int32');
      expect(() => sigmoidBceLoss(tf.tensor2d([[1]]), tf.tensor1d([0], 'int32')))
        .to.throw(LossShapeError, /logits has shape \[1, 1\]/)
        .with.property('input', 'logits');
      expect(() => sigmoidBceLoss(tf.tensor2d(LOGITS), tf.tensor1d([0, 1, 2], 'int32')))
        .to.throw(LossShapeError, /labels has shape \[3\]/)
        .with.property('input', 'labels');
      expect(() => softmaxCrossEntropyLoss(tf.tensor2d(LOGITS), tf.tensor1d(LABELS))).to.throw(
        LossShapeError,
        /int32/,
      );
      expect(() => sigmoidBceLoss(tf.tensor2d(LOGITS), labels, { labelWeights: tf.tensor1d([1]) })).to.throw(
        LossShapeError,
        /labelWeights/,
      );
    });
  });
});
