// The max-IoU assigner: hand-built edge cases (no GT, no boxes, low-quality matches, ties) and a comparison
// with a dense reference that follows mmdet's assign_wrt_overlaps over the full IoU matrix.
import { expect } from 'chai';
import {
  assignMaxIou,
  BoxOptionError,
  concatLevels,
  multiLevelAnchors,
  pairwiseIou,
  ROI_ASSIGNER,
  RPN_ASSIGNER,
  type MaxIouAssignerOptions,
} from '../../../../worker/internal.js';
import { seededRng } from '../../../../common/index.js';

const boxes = (...rows: number[][]): Float32Array => Float32Array.from(rows.flat());

/** mmdet's steps over the stored [G, N] IoU matrix, written as plainly as possible. */
function denseReference(anchors: Float32Array, gt: Float32Array, options: MaxIouAssignerOptions): number[] {
  const n = anchors.length / 4;
  const g = gt.length / 4;
  const overlaps = pairwiseIou(gt, anchors);
  const at = (i: number, j: number): number => overlaps[i * n + j]!;
  const result = new Array<number>(n).fill(-1);
  if (g === 0) return result.fill(0);
  for (let j = 0; j < n; j++) {
    let best = 0;
    let arg = 0;
    for (let i = 0; i < g; i++) if (at(i, j) > best) [best, arg] = [at(i, j), i];
    if (best >= 0 && best < Math.fround(options.negIouThreshold)) result[j] = 0;
    if (best >= Math.fround(options.posIouThreshold)) result[j] = arg + 1;
  }
  for (let i = 0; i < g; i++) {
    let best = 0;
    for (let j = 0; j < n; j++) best = Math.max(best, at(i, j));
    if (best < Math.fround(options.minPosIou)) continue;
    const tied = Array.from({ length: n }, (_, j) => j).filter((j) => at(i, j) === best);
    for (const j of (options.gtMaxAssignAll ?? true) ? tied : tied.slice(0, 1)) result[j] = i + 1;
  }
  return result;
}

describe('assignMaxIou', () => {
  it('makes every box negative when there is no GT', () => {
    const result = assignMaxIou(boxes([0, 0, 5, 5], [1, 1, 9, 9]), new Float32Array(0), RPN_ASSIGNER);
    expect(Array.from(result.gtIndex)).to.deep.equal([0, 0]);
    expect(Array.from(result.maxIou)).to.deep.equal([0, 0]);
  });

  it('returns an empty assignment for no boxes', () => {
    const result = assignMaxIou(new Float32Array(0), boxes([0, 0, 5, 5]), RPN_ASSIGNER, Int32Array.of(3));
    expect(result.gtIndex.length).to.equal(0);
    expect(result.gtCount).to.equal(1);
  });

  it('splits boxes into positive, ignored and negative at 0.7 / 0.3', () => {
    const gt = boxes([0, 0, 10, 10], [50, 50, 60, 60]);
    const anchors = boxes(
      [0, 0, 10, 10], // IoU 1 with GT 0
      [0, 0, 10, 5], // 0.5: between the thresholds, ignored
      [0, 0, 10, 2], // 0.2: negative
      [100, 100, 110, 110], // 0: negative
      [50, 50, 60, 58], // 0.8 with GT 1
    );
    const result = assignMaxIou(anchors, gt, RPN_ASSIGNER, Int32Array.of(7, 9));
    expect(Array.from(result.gtIndex)).to.deep.equal([1, -1, 0, 0, 2]);
    expect(Array.from(result.labels!)).to.deep.equal([7, -1, -1, -1, 9]);
    expect(Array.from(result.maxIou)).to.deep.equal([1, 0.5, 0.2, 0, 0.8].map(Math.fround));
  });

  it('gives a GT its best box as a low-quality match only above min_pos', () => {
    const gt = boxes([0, 0, 10, 10]);
    const anchors = boxes([0, 0, 10, 4], [0, 0, 10, 2]); // 0.4 and 0.2: neither reaches 0.7
    expect(Array.from(assignMaxIou(anchors, gt, RPN_ASSIGNER).gtIndex)).to.deep.equal([1, 0]);
    const strict = { ...RPN_ASSIGNER, minPosIou: 0.45 };
    expect(Array.from(assignMaxIou(anchors, gt, strict).gtIndex)).to.deep.equal([-1, 0]);
    const off = { ...RPN_ASSIGNER, matchLowQuality: false };
    expect(Array.from(assignMaxIou(anchors, gt, off).gtIndex)).to.deep.equal([-1, 0]);
  });

  it('assigns every box tied at a GT best IoU, or only the first without gtMaxAssignAll', () => {
    const gt = boxes([0, 0, 10, 10]);
    const anchors = boxes([0, 0, 10, 5], [0, 5, 10, 10], [0, 0, 10, 3]); // 0.5, 0.5, 0.3
    expect(Array.from(assignMaxIou(anchors, gt, RPN_ASSIGNER).gtIndex)).to.deep.equal([1, 1, -1]);
    const first = { ...RPN_ASSIGNER, gtMaxAssignAll: false };
    expect(Array.from(assignMaxIou(anchors, gt, first).gtIndex)).to.deep.equal([1, -1, -1]);
  });

  it('lets a later GT take a box two GTs tie on (the reference loops GTs in order)', () => {
    const gt = boxes([0, 0, 10, 10], [0, 0, 10, 10]);
    const result = assignMaxIou(boxes([0, 0, 10, 10], [0, 0, 10, 8]), gt, ROI_ASSIGNER);
    // Step 3 picks GT 0 (first maximum) for both; step 4 reassigns box 0, the best of both GTs, to GT 1.
    expect(Array.from(result.gtIndex)).to.deep.equal([2, 1]);
  });

  it('with min_pos 0, gives a GT that overlaps nothing every box (all tie at IoU 0), as mmdet does', () => {
    const gt = boxes([0, 0, 10, 10], [100, 100, 110, 110]);
    const anchors = boxes([0, 0, 10, 10], [50, 50, 60, 60]);
    const options = { ...RPN_ASSIGNER, minPosIou: 0 };
    // GT 0's best is anchor 0 (IoU 1). GT 1 overlaps nothing: both anchors tie at 0, so both go to GT 1.
    expect(Array.from(assignMaxIou(anchors, gt, options).gtIndex)).to.deep.equal([2, 2]);
    expect(denseReference(anchors, gt, options)).to.deep.equal([2, 2]);
  });

  it('agrees with the dense reference on random scenes', () => {
    const rng = seededRng(5);
    const randomBoxes = (count: number, size: number): Float32Array => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const x = 100 * rng();
        const y = 100 * rng();
        out.push(x, y, x + 1 + size * rng(), y + 1 + size * rng());
      }
      return Float32Array.from(out);
    };
    // The last two scenes are large enough for the grid index (>= 8 GTs and >= 4096 boxes).
    for (const [gtCount, boxTotal, options] of [
      [7, 400, RPN_ASSIGNER],
      [12, 400, ROI_ASSIGNER],
      [3, 400, { ...RPN_ASSIGNER, minPosIou: 0.1 }],
      [20, 5000, RPN_ASSIGNER],
      [9, 4096, { ...ROI_ASSIGNER, gtMaxAssignAll: false }],
    ] as const) {
      const gt = randomBoxes(gtCount, 40);
      const anchors = randomBoxes(boxTotal, 40);
      const result = assignMaxIou(anchors, gt, options);
      const reference = denseReference(anchors, gt, options);
      expect(Array.from(result.gtIndex)).to.deep.equal(reference);
      expect(reference.filter((k) => k > 0).length, 'scene has positives').to.be.above(0);
    }
  });

  it('agrees with the dense reference on real anchors, where IoU ties are common', () => {
    const sizes = [4, 8, 16, 32, 64].map((s) => ({ height: Math.ceil(128 / s), width: Math.ceil(160 / s) }));
    const anchors = concatLevels(multiLevelAnchors(sizes));
    expect(anchors.length / 4).to.be.above(4096); // the grid index is used
    // Integer GTs placed symmetrically between anchor centres, so several anchors tie at a GT's best IoU.
    const gt = boxes(...Array.from({ length: 10 }, (_, k) => [8 * k, 4 * k, 8 * k + 24 + 4 * k, 4 * k + 40]));
    for (const options of [RPN_ASSIGNER, { ...RPN_ASSIGNER, gtMaxAssignAll: false }, ROI_ASSIGNER]) {
      const reference = denseReference(anchors, gt, options);
      expect(Array.from(assignMaxIou(anchors, gt, options).gtIndex)).to.deep.equal(reference);
    }
    const tiesAssigned = denseReference(anchors, gt, RPN_ASSIGNER).filter((k) => k > 0).length;
    const firstOnly = denseReference(anchors, gt, { ...RPN_ASSIGNER, gtMaxAssignAll: false }).filter(
      (k) => k > 0,
    );
    expect(tiesAssigned, 'the scene has ties').to.be.above(firstOnly.length);
  });

  it('rejects thresholds outside [0, 1]', () => {
    expect(() =>
      assignMaxIou(new Float32Array(4), new Float32Array(4), { ...RPN_ASSIGNER, posIouThreshold: 1.5 }),
    )
      .to.throw(BoxOptionError)
      .with.property('option', 'posIouThreshold');
  });
});
