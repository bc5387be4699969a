// topKClassNms against the box primitives' batchedNms cut to k, on random clustered boxes with many classes,
// tied scores, duplicate and zero-area boxes: the same indices in the same order.
import { expect } from 'chai';
import { batchedNms, topKClassNms } from '../../../../worker/internal.js';
import { seededRng } from '../../../../common/index.js';

function randomCase(seed: number, count: number, classCount: number) {
  const rng = seededRng(seed);
  const boxes = new Float32Array(4 * count);
  const scores = new Float32Array(count);
  const classes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    // Boxes cluster around 8 centres so that NMS has plenty to suppress; every 17th box has zero width.
    const cx = 40 * Math.floor(rng() * 8) + 10 * rng();
    const cy = 40 * Math.floor(rng() * 8) + 10 * rng();
    const w = i % 17 === 0 ? 0 : 5 + 30 * rng();
    const h = 5 + 30 * rng();
    boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 4 * i);
    // Scores on a coarse grid, so ties are common.
    scores[i] = Math.round(rng() * 20) / 20;
    classes[i] = Math.floor(rng() * classCount);
  }
  // A few exact duplicates of earlier boxes.
  for (let i = 0; i < count; i += 23) boxes.copyWithin(4 * i, 0, 4);
  return { boxes, scores, classes };
}

describe('topKClassNms', () => {
  for (const [seed, count, classCount, k, threshold] of [
    [1, 400, 5, 300, 0.5],
    [2, 400, 5, 20, 0.5],
    [3, 600, 40, 100, 0.3],
    [4, 300, 1, 1000, 0.7],
  ] as const) {
    it(`matches batchedNms then the first ${k} (${count} boxes, ${classCount} classes, IoU ${threshold})`, () => {
      const { boxes, scores, classes } = randomCase(seed, count, classCount);
      const survivors = batchedNms(boxes, scores, classes, threshold);
      expect(survivors.length, 'NMS suppressed something').to.be.below(count);
      const expected = Array.from(survivors.subarray(0, k));
      const actual = Array.from(topKClassNms(boxes, scores, classes, threshold, k));
      expect(expected.length).to.be.above(0);
      expect(actual).to.deep.equal(expected);
    });
  }
});
