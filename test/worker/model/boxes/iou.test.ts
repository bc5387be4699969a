// IoU by hand (mmdet 2.8: no +1 offset, union floored at 1e-6) and the float32 arithmetic the assigner relies on.
import { expect } from 'chai';
import { BoxShapeError, iouAt, pairwiseIou } from '../../../../worker/internal.js';
import { expectClose } from '../../tf/helpers.js';

const boxes = (...rows: number[][]): Float32Array => Float32Array.from(rows.flat());

describe('pairwiseIou', () => {
  it('matches hand-computed overlaps', () => {
    const a = boxes([0, 0, 10, 10], [2, 2, 4, 4]);
    const b = boxes([5, 5, 15, 15], [0, 0, 10, 10], [10, 0, 20, 10], [30, 30, 40, 40]);
    // [0,0,10,10] vs [5,5,15,15]: 25 / (100 + 100 − 25); vs itself 1; sharing an edge 0; disjoint 0.
    // [2,2,4,4] (area 4) lies inside [0,0,10,10]: 4 / 100; it misses [5,5,15,15].
    expectClose(pairwiseIou(a, b), [25 / 175, 1, 0, 0, 0, 4 / 100, 0, 0], 1e-7, 'iou');
  });

  it('uses widths x2 − x1 (no legacy +1 pixel)', () => {
    // With the legacy offset these would be 4·4 / (11·11 + 4·4 − 4·4) instead of 9 / 100.
    expect(iouAt(boxes([0, 0, 10, 10]), 0, boxes([0, 0, 3, 3]), 0)).to.equal(Math.fround(9 / 100));
  });

  it('gives 0, not NaN, for zero-area boxes', () => {
    const point = boxes([3, 3, 3, 3]);
    expect(Array.from(pairwiseIou(point, point))).to.deep.equal([0]);
  });

  it('computes in float32 like a float32 tensor', () => {
    const a = boxes([0.1, 0.2, 7.3, 9.1]);
    const b = boxes([1.7, 0.9, 8.2, 8.8]);
    const f = Math.fround;
    const [ax1, ay1, ax2, ay2] = Array.from(a) as [number, number, number, number];
    const [bx1, by1, bx2, by2] = Array.from(b) as [number, number, number, number];
    const inter = f(f(ax2 - bx1) * f(by2 - by1)); // x: 1.7..7.3, y: 0.9..8.8
    const union = f(f(f(f(ax2 - ax1) * f(ay2 - ay1)) + f(f(bx2 - bx1) * f(by2 - by1))) - inter);
    expect(iouAt(a, 0, b, 0)).to.equal(f(inter / union));
  });

  it('rejects arrays that are not whole boxes, naming them', () => {
    expect(() => pairwiseIou(new Float32Array(5), new Float32Array(4)))
      .to.throw(BoxShapeError)
      .with.property('input', 'a');
  });
});
