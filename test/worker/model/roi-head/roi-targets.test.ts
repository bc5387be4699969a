// RoI targets on hand-built cases: assignment at 0.5 with the GTs added as proposals, row order (per image,
// positives then negatives), labels with C as background, regression targets encoded with stds 0.1/0.1/0.2/0.2
// (worked out by hand from mmdet's bbox2delta), and the 512 @ 25 % sampling counts.
import { expect } from 'chai';
import { RoiHeadOptionError, roiTargets } from '../../../../worker/internal.js';
import { expectClose, useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

const C = 3;

describe('roiTargets', () => {
  before(useCpuBackend);

  it('assigns, orders, labels and encodes one image by hand', () => {
    const gtBoxes = Float32Array.of(0, 0, 10, 10, 20, 20, 40, 40);
    const gtLabels = Int32Array.of(2, 0);
    const proposals = Float32Array.of(
      ...[50, 50, 60, 60], // no overlap: negative
      ...[0, 0, 10, 12], // IoU 100/120 with GT 0: positive
      ...[0, 0, 20, 20], // IoU 0.25 with GT 0: negative
      ...[20, 20, 40, 30], // IoU exactly 0.5 with GT 1: positive (pos >= 0.5)
    );
    const targets = roiTargets([{ proposals, gtBoxes, gtLabels }], C, seededRng(1));
    // Candidates are [GT0, GT1, P0, P1, P2, P3]; positives ascending (GT0, GT1, P1, P3), then negatives (P0, P2).
    expect(Array.from(targets.boxes)).to.deep.equal([
      ...[0, 0, 10, 10],
      ...[20, 20, 40, 40],
      ...[0, 0, 10, 12],
      ...[20, 20, 40, 30],
      ...[50, 50, 60, 60],
      ...[0, 0, 20, 20],
    ]);
    expect(Array.from(targets.labels)).to.deep.equal([2, 0, 2, 0, C, C]);
    expect(Array.from(targets.batchIndices)).to.deep.equal([0, 0, 0, 0, 0, 0]);
    expect([targets.positives, targets.negatives]).to.deep.equal([[4], [2]]);
    // P1 (centre (5, 6), 10 × 12) → GT0 (centre (5, 5), 10 × 10): dy = −1/12, dh = ln(10/12).
    // P3 (centre (30, 25), 20 × 10) → GT1 (centre (30, 30), 20 × 20): dy = 5/10, dh = ln 2.
    const expected = [
      ...[0, 0, 0, 0],
      ...[0, 0, 0, 0],
      ...[0, -1 / 12 / 0.1, 0, Math.log(10 / 12) / 0.2],
      ...[0, 0.5 / 0.1, 0, Math.log(2) / 0.2],
      ...[0, 0, 0, 0],
      ...[0, 0, 0, 0],
    ];
    expectClose(targets.bboxTargets, expected, 1e-5, 'bboxTargets');
  });

  it('samples 512 RoIs at most 25 % positive per image, images in batch order', () => {
    const gtBoxes = Float32Array.of(0, 0, 100, 100);
    // 300 near-copies of the GT (IoU > 0.9) and 600 far boxes, so both pools exceed what the sampler wants.
    const near = Array.from({ length: 300 }, (_, i) => [0, 0, 100, 100 + (i % 10)]).flat();
    const far = Array.from({ length: 600 }, (_, i) => [200 + i, 200, 210 + i, 210]).flat();
    const crowded = { proposals: Float32Array.from([...near, ...far]), gtBoxes, gtLabels: Int32Array.of(1) };
    const empty = {
      proposals: Float32Array.from(far.slice(0, 40)),
      gtBoxes: new Float32Array(0),
      gtLabels: new Int32Array(0),
    };
    const targets = roiTargets([crowded, empty], C, seededRng(3));
    expect(targets.positives).to.deep.equal([128, 0]);
    expect(targets.negatives).to.deep.equal([384, 10]);
    expect(targets.labels.length).to.equal(522);
    expect(targets.labels.slice(0, 128).every((label) => label === 1)).to.equal(true);
    expect(targets.labels.slice(128).every((label) => label === C)).to.equal(true);
    expect(targets.batchIndices.slice(0, 512).every((b) => b === 0)).to.equal(true);
    expect(targets.batchIndices.slice(512).every((b) => b === 1)).to.equal(true);
    expect(targets.bboxTargets.slice(4 * 128).every((t) => t === 0)).to.equal(true);
  });

  it('refuses a GT label outside [0, C)', () => {
    const image = {
      proposals: new Float32Array(0),
      gtBoxes: Float32Array.of(0, 0, 4, 4),
      gtLabels: Int32Array.of(C),
    };
    expect(() => roiTargets([image], C, seededRng(1))).to.throw(RoiHeadOptionError, 'gtLabels[0]');
  });
});
