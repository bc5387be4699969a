// RPN targets and loss on a hand-built case: two anchors, two images (one without GT), values worked out in
// float64 from mmdet's definitions.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { BoxShapeError, rpnLoss, rpnTargets, type RpnOutputs } from '../../../../worker/internal.js';
import { bceTerm, expectClose, sigmoid, useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

// One level, 1 × 2 cells, one anchor per cell: [0,0,10,10] and [20,0,30,10].
const anchors = Float32Array.of(0, 0, 10, 10, 20, 0, 30, 10);
// Image 0: one GT, IoU 100/120 with anchor 0 (positive), 0 with anchor 1 (negative). Image 1: no GT.
const gtBoxes = [Float32Array.of(0, 0, 10, 12), new Float32Array(0)];
// Anchor 0 → GT: centre (5, 5) → (5, 6), size 10 × 10 → 10 × 12: dx 0, dy 0.1, dw 0, dh ln 1.2.
const expectedDeltas = [0, 0.1, 0, Math.log(1.2)];

describe('rpnTargets', () => {
  before(useCpuBackend);

  it('labels, weights and encodes the sampled anchors per image', () => {
    const targets = rpnTargets(anchors, gtBoxes, seededRng(1));
    expect(Array.from(targets.labels)).to.deep.equal([1, 0, 0, 0]);
    expect(Array.from(targets.labelWeights)).to.deep.equal([1, 1, 1, 1]);
    expectClose(
      targets.bboxTargets,
      [...expectedDeltas, 0, 0, 0, 0, ...new Array<number>(8).fill(0)],
      1e-6,
      't',
    );
    expect(Array.from(targets.bboxWeights)).to.deep.equal([1, 1, 1, 1, ...new Array<number>(12).fill(0)]);
    expect([targets.positives, targets.negatives]).to.deep.equal([
      [1, 0],
      [1, 2],
    ]);
    // max(1, 1) + max(1, 1) for image 0, max(0, 1) + max(2, 1) for image 1.
    expect(targets.avgFactor).to.equal(5);
  });

  it('leaves unsampled anchors out of the loss', () => {
    const many = new Float32Array(4 * 40);
    for (let i = 0; i < 40; i++) many.set([100 + i, 100, 110 + i, 110], 4 * i);
    const targets = rpnTargets(many, [Float32Array.of(0, 0, 5, 5)], seededRng(2), {
      sampler: { num: 8, posFraction: 0.5 },
    });
    expect(targets.labelWeights.reduce((a, b) => a + b, 0)).to.equal(8); // 0 positives: 8 negatives
    expect(targets.avgFactor).to.equal(1 + 8);
  });
});

describe('rpnLoss', () => {
  before(useCpuBackend);

  it('averages sigmoid CE and L1 over the sampled anchors of the batch', () => {
    const logits = [2, -1, 0.5, -3]; // image 0: anchors 0, 1; image 1: anchors 0, 1
    const deltas = [0.2, -0.1, 0.3, 0.0, 9, 9, 9, 9, 0.1, 0.1, 0.1, 0.1, 5, 5, 5, 5];
    const targets = rpnTargets(anchors, gtBoxes, seededRng(1));
    const before = tf.memory().numTensors;
    const outputs: RpnOutputs = {
      clsScores: [tf.tensor4d(logits, [2, 1, 2, 1])],
      bboxDeltas: [tf.tensor4d(deltas, [2, 1, 2, 4])],
    };
    const losses = rpnLoss(outputs, targets);
    const cls = (bceTerm(2, 1) + bceTerm(-1, 0) + bceTerm(0.5, 0) + bceTerm(-3, 0)) / 5;
    const l1 = [0.2, -0.1, 0.3, 0].reduce((sum, d, k) => sum + Math.abs(d - expectedDeltas[k]!), 0) / 5;
    expectClose([losses.cls.dataSync()[0]!, losses.bbox.dataSync()[0]!], [cls, l1], 1e-6, 'losses');
    tf.dispose([losses.cls, losses.bbox, ...outputs.clsScores, ...outputs.bboxDeltas]);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('has the gradients (σ(s) − t)·w / avg_factor and sign(d − t)·w / avg_factor', () => {
    const logits = [2, -1, 0.5, -3];
    const deltas = [0.2, -0.1, 0.3, 0.0, 9, 9, 9, 9, 0.1, 0.1, 0.1, 0.1, 5, 5, 5, 5];
    const targets = rpnTargets(anchors, gtBoxes, seededRng(1));
    tf.tidy(() => {
      const cls = tf.tensor4d(logits, [2, 1, 2, 1]);
      const reg = tf.tensor4d(deltas, [2, 1, 2, 4]);
      const [dCls, dReg] = tf.grads((c: tf.Tensor, r: tf.Tensor) => {
        const losses = rpnLoss({ clsScores: [c as tf.Tensor4D], bboxDeltas: [r as tf.Tensor4D] }, targets);
        return tf.add(losses.cls, losses.bbox);
      })([cls, reg]);
      const labels = [1, 0, 0, 0];
      expectClose(
        dCls!.dataSync(),
        logits.map((s, i) => (sigmoid(s) - labels[i]!) / 5),
        1e-6,
        'dL/dlogit',
      );
      // Only anchor 0 of image 0 is positive: its 4 deltas get sign(d − t) / 5, all others 0.
      const expected = new Array<number>(16).fill(0);
      [0.2, -0.1, 0.3, 0].forEach((d, k) => (expected[k] = Math.sign(d - expectedDeltas[k]!) / 5));
      expectClose(dReg!.dataSync(), expected, 1e-6, 'dL/ddelta');
    });
  });

  it('rejects outputs that do not match the targets, naming them', () => {
    const targets = rpnTargets(anchors, gtBoxes, seededRng(1));
    tf.tidy(() => {
      const outputs: RpnOutputs = {
        clsScores: [tf.zeros<tf.Rank.R4>([2, 1, 3, 1])],
        bboxDeltas: [tf.zeros<tf.Rank.R4>([2, 1, 3, 4])],
      };
      expect(() => rpnLoss(outputs, targets))
        .to.throw(BoxShapeError)
        .with.property('input', 'clsScores');
    });
  });
});
