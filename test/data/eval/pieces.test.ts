import { expect } from 'chai';
import {
  AREA_RANGES,
  bboxIou,
  IOU_THRESHOLDS,
  numpyLinspace,
  numpyMean,
  RECALL_THRESHOLDS,
} from '../../../data/internal.js';
import { numpyMeans } from '../../harness/lvis-oracle.js';
import { seededRandom } from './builders.js';

describe('data/eval pieces', function () {
  it('has lvis-api thresholds: linspace doubles, not literals or i/100', function () {
    expect(IOU_THRESHOLDS).to.have.length(10);
    expect(IOU_THRESHOLDS[8]).to.equal(0.8999999999999999);
    expect(IOU_THRESHOLDS[5]).to.equal(0.75);
    expect(IOU_THRESHOLDS[9]).to.equal(0.95);
    const differ = [...RECALL_THRESHOLDS.keys()].filter((i) => RECALL_THRESHOLDS[i] !== i / 100);
    expect(differ).to.deep.equal([35, 41, 47, 57, 69, 70, 82, 83, 94, 95]);
    expect(RECALL_THRESHOLDS[57]).to.equal(0.5700000000000001);
    expect(numpyLinspace(0, 1, 101)[100]).to.equal(1);
    expect(AREA_RANGES.map((range) => [range.min, range.max])).to.deep.equal([
      [0, 1e10],
      [0, 1024],
      [1024, 9216],
      [9216, 1e10],
    ]);
  });

  it('computes IoU in pycocotools order: touching boxes are 0, containment is the area ratio', function () {
    const iou = (d: number[], g: number[]) => bboxIou(d, 0, g, 0);
    expect(iou([10, 10, 20, 20], [10, 10, 20, 20])).to.equal(1);
    expect(iou([0, 0, 10, 10], [10, 0, 10, 10])).to.equal(0);
    expect(iou([0, 0, 10, 10], [0, 10, 10, 10])).to.equal(0);
    expect(iou([0, 0, 20, 10], [0, 0, 20, 20])).to.equal(0.5);
    expect(iou([5, 0, 20, 20], [0, 0, 20, 20])).to.equal(0.6);
    // Offsets into flat arrays, as the evaluator stores boxes.
    expect(bboxIou([9, 9, 9, 9, 0, 0, 4, 4], 4, [1, 1, 1, 1, 0, 0, 2, 2], 4)).to.equal(0.25);
  });

  it('means exactly as numpy does (pairwise summation), on lengths around every block boundary', async function () {
    this.timeout(120_000);
    const random = seededRandom(7);
    const lengths = [
      1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 4097, 65_537, 400_000, 1_215_120,
    ];
    const arrays = lengths.map((n) => Array.from({ length: n }, () => (random() < 0.3 ? 0 : random())));
    arrays.push(Array<number>(1010).fill(0.9999999999999998));
    const expected = await numpyMeans(arrays);
    arrays.forEach((values, i) => {
      expect(numpyMean(values), `length ${values.length}`).to.equal(expected[i]);
    });
    // The spec's example: a plain loop would give 0.9999999999999999 here.
    expect(numpyMean(arrays.at(-1)!)).to.equal(0.9999999999999998);
  });
});
