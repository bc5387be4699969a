// The L1 box loss by hand: only each positive's own-class deltas count, and the sum is divided by the number
// of sampled RoIs (spec gotcha 15), not by the positives; its gradient reaches only those columns.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { RoiHeadShapeError, roiBoxLoss, type RoiTargets } from '../../../../worker/internal.js';
import { expectClose, useCpuBackend } from '../../tf/helpers.js';

const C = 2;

function targetsOf(labels: number[], bboxTargets: number[]): RoiTargets {
  return {
    boxes: new Float32Array(4 * labels.length),
    batchIndices: new Int32Array(labels.length),
    labels: Int32Array.from(labels),
    bboxTargets: Float32Array.from(bboxTargets),
    numClasses: C,
    positives: [labels.filter((l) => l < C).length],
    negatives: [labels.filter((l) => l === C).length],
  };
}

// Row 0: class 1, row 1: class 0, row 2: background. Other classes' columns hold large values that must not count.
const predictions = [
  [9, 9, 9, 9, 0.2, 0.2, 0.2, 0.2],
  [1, -1, 0.5, 0, 7, 7, 7, 7],
  [5, 5, 5, 5, 5, 5, 5, 5],
];
const targets = targetsOf([1, 0, C], [0.1, 0.2, 0.3, 0.4, 0, 0, 0, 0, 0, 0, 0, 0]);

describe('roiBoxLoss', () => {
  before(useCpuBackend);

  it('sums own-class absolute errors of positives over all sampled RoIs', () => {
    const loss = tf.tidy(() => roiBoxLoss(tf.tensor2d(predictions), targets).dataSync()[0]);
    // Row 0: |0.2−0.1| + |0.2−0.2| + |0.2−0.3| + |0.2−0.4| = 0.4; row 1: 1 + 1 + 0.5 + 0 = 2.5; 3 RoIs.
    expectClose([loss ?? NaN], [2.9 / 3], 1e-6, 'loss');
  });

  it('sends gradient only to the positives own-class columns', () => {
    const grad = tf.tidy(() =>
      Array.from(
        tf
          .grad((x: tf.Tensor) => roiBoxLoss(x as tf.Tensor2D, targets))(tf.tensor2d(predictions))
          .dataSync(),
      ),
    );
    const third = 1 / 3;
    const expected = [
      ...[0, 0, 0, 0, third, 0, -third, -third],
      ...[third, -third, third, 0, 0, 0, 0, 0],
      ...[0, 0, 0, 0, 0, 0, 0, 0],
    ];
    expectClose(grad, expected, 1e-6, 'gradient');
  });

  it('is zero without positives and checks the prediction shape', () => {
    const background = targetsOf([C, C], new Array<number>(8).fill(0));
    const loss = tf.tidy(() => roiBoxLoss(tf.ones([2, 4 * C]), background).dataSync()[0]);
    expect(loss).to.equal(0);
    const wrong = tf.ones<tf.Rank.R2>([2, 4]);
    expect(() => roiBoxLoss(wrong, background)).to.throw(RoiHeadShapeError, 'bboxPred');
    wrong.dispose();
  });
});
