// The grid index behind the assigner: every box that overlaps a query is visited, exactly once, and most
// boxes far away are not.
import { expect } from 'chai';
import { buildBoxGrid, forEachCandidate } from '../../../../worker/internal.js';
import { seededRng } from '../../../../common/index.js';

describe('box grid', () => {
  it('visits each overlapping box once and skips most of the rest', () => {
    const rng = seededRng(3);
    const count = 3000;
    const boxes = new Float32Array(4 * count);
    for (let i = 0; i < count; i++) {
      const x = 500 * rng();
      const y = 500 * rng();
      const size = i % 2 === 0 ? 2 + 10 * rng() : 50 + 150 * rng(); // two size classes
      boxes.set([x, y, x + size, y + size * (0.5 + rng())], 4 * i);
    }
    boxes.set([7, 7, 7, 20], 0); // zero width: overlaps nothing, never indexed
    const grid = buildBoxGrid(boxes);
    for (const [qx1, qy1, qx2, qy2] of [
      [100, 100, 140, 130],
      [0, 0, 40, 40],
      [450, 10, 520, 60],
    ] as const) {
      const visits = new Map<number, number>();
      forEachCandidate(grid, qx1, qy1, qx2, qy2, (id) => visits.set(id, (visits.get(id) ?? 0) + 1));
      expect(
        [...visits.values()].every((n) => n === 1),
        'visited at most once',
      ).to.equal(true);
      let overlapping = 0;
      for (let i = 0; i < count; i++) {
        const [x1, y1, x2, y2] = Array.from(boxes.subarray(4 * i, 4 * i + 4)) as [
          number,
          number,
          number,
          number,
        ];
        const overlaps = Math.min(x2, qx2) > Math.max(x1, qx1) && Math.min(y2, qy2) > Math.max(y1, qy1);
        if (overlaps) {
          overlapping++;
          expect(visits.has(i), `box ${i} overlaps the query`).to.equal(true);
        }
      }
      expect(visits.has(0)).to.equal(false);
      expect(visits.size).to.be.below(count / 3);
      expect(overlapping).to.be.above(0);
    }
  });
});
