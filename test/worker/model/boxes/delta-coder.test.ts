// The delta-xywh coder: hand-computed deltas, the round trip, clamping, clipping, class-specific groups, and
// the decode → L1 gradient against central finite differences.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  BoxShapeError,
  decodeDeltas,
  encodeDeltas,
  ROI_CODER,
  RPN_CODER,
} from '../../../../worker/internal.js';
import { centralDifferences, expectClose, useCpuBackend, values } from '../../tf/helpers.js';

describe('delta-xywh coder', () => {
  before(useCpuBackend);

  let tensorsBefore = 0;
  beforeEach(() => (tensorsBefore = tf.memory().numTensors));
  afterEach(() => expect(tf.memory().numTensors, 'tensors left behind').to.equal(tensorsBefore));

  // Proposal centre (5, 10), size 10 × 20; GT centre (15, 10), size 20 × 20: dx = 10/10, dy = 0, dw = ln 2, dh = 0.
  const proposal = [[0, 0, 10, 20]];
  const gt = [[5, 0, 25, 20]];

  it('encodes known deltas with the RPN and RoI stds', () => {
    tf.tidy(() => {
      const p = tf.tensor2d(proposal);
      const g = tf.tensor2d(gt);
      expectClose(values(encodeDeltas(p, g, RPN_CODER)), [1, 0, Math.LN2, 0], 1e-6, 'rpn deltas');
      expectClose(values(encodeDeltas(p, g, ROI_CODER)), [10, 0, Math.LN2 / 0.2, 0], 1e-5, 'roi deltas');
      expectClose(values(encodeDeltas(p, g, { means: [1, 0, 0, 0] })), [0, 0, Math.LN2, 0], 1e-6, 'means');
    });
  });

  it('decodes known deltas and round-trips random boxes', () => {
    tf.tidy(() => {
      expectClose(
        values(decodeDeltas(tf.tensor2d(proposal), tf.tensor2d([[10, 0, Math.LN2 / 0.2, 0]]), ROI_CODER)),
        gt.flat(),
        1e-4,
        'decoded',
      );
      const rois = tf.tensor2d([
        [3, 4, 50, 40],
        [10, 10, 12, 30],
        [0, 0, 100, 7],
      ]);
      const targets = tf.tensor2d([
        [5, 1, 44, 60],
        [8, 9, 20, 25],
        [30, 2, 60, 9],
      ]);
      const deltas = encodeDeltas(rois, targets, ROI_CODER);
      expectClose(values(decodeDeltas(rois, deltas, ROI_CODER)), values(targets), 1e-4, 'round trip');
    });
  });

  it('clamps dw, dh at |ln(16/1000)| and clips to the image', () => {
    tf.tidy(() => {
      const roi = tf.tensor2d([[100, 100, 102, 102]]); // centre (101, 101), 2 × 2
      const decoded = values(decodeDeltas(roi, tf.tensor2d([[0, 0, 10, -10]])));
      const half = (2 * (1000 / 16)) / 2; // dw clamped to ln(62.5): width 125
      const halfH = (2 * (16 / 1000)) / 2;
      expectClose(decoded, [101 - half, 101 - halfH, 101 + half, 101 + halfH], 1e-3, 'clamped');
      const clipped = values(
        decodeDeltas(roi, tf.tensor2d([[0, 0, 10, 0]]), { imageShape: { height: 50, width: 150 } }),
      );
      expectClose(clipped, [101 - half, 50, 150, 50], 1e-4, 'clipped to [0, W] × [0, H]');
    });
  });

  it('decodes class-specific deltas group by group', () => {
    tf.tidy(() => {
      const decoded = decodeDeltas(tf.tensor2d(proposal), tf.tensor2d([[0, 0, 0, 0, 1, 0, Math.LN2, 0]]));
      expect(decoded.shape).to.deep.equal([1, 8]);
      expectClose(values(decoded), [...proposal.flat(), ...gt.flat()], 1e-5, 'two groups');
    });
  });

  it('rejects mismatched shapes, naming the tensor', () => {
    tf.tidy(() => {
      const rois = tf.zeros<tf.Rank.R2>([2, 4]);
      expect(() => decodeDeltas(rois, tf.zeros<tf.Rank.R2>([2, 6])))
        .to.throw(BoxShapeError)
        .with.property('input', 'deltas');
      expect(() => encodeDeltas(rois, tf.zeros<tf.Rank.R2>([3, 4])))
        .to.throw(BoxShapeError)
        .with.property('input', 'gtBoxes');
    });
  });

  it('has the decode → L1 gradient of central finite differences', () => {
    // L(d) = Σ w·|decode(rois, d) − t|, clipped to the image, with d and t chosen so that no coordinate sits
    // at a kink of |·|, the dw/dh clamp or the image border within the step.
    const deltas = [
      [0.1, -0.2, 0.3, -0.1, 0.5, 0.2, -0.4, 0.3],
      [-0.3, 0.25, 0.05, 0.4, 0.0, -0.1, 0.2, -0.25],
    ];
    tf.tidy(() => {
      const rois = tf.tensor2d([
        [10, 20, 40, 60],
        [30, 5, 50, 25],
      ]);
      const targets = tf.tensor2d([
        [5, 30, 50, 80, 20, 10, 35, 50],
        [28, 9, 49, 40, 35, 0.5, 44, 21],
      ]);
      const weights = tf.tensor2d([
        [1, 0.5, 2, 1, 1, 1, 0, 1],
        [1, 1, 1, 3, 1, 1, 1, 1],
      ]);
      const loss = (d: tf.Tensor2D): tf.Scalar =>
        tf.sum(
          tf.mul(
            weights,
            tf.abs(
              tf.sub(decodeDeltas(rois, d, { ...ROI_CODER, imageShape: { height: 90, width: 90 } }), targets),
            ),
          ),
        );
      const analytic = values(tf.grad((d: tf.Tensor) => loss(d as tf.Tensor2D))(tf.tensor2d(deltas)));
      // L is piecewise linear in the shifts and smooth in exp(dw): float32 round-off ≈ 1e2·6e-8 / (2h) ≈ 3e-4.
      const numeric = centralDifferences(loss, deltas, 1e-2);
      expectClose(numeric, analytic, 2e-2, 'dL/dd');
      expect(analytic.filter((g) => Math.abs(g) > 1)).to.have.length.above(8); // not a vacuous zero gradient
    });
  });
});
