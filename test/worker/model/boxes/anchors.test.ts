// Anchors against mmdet 2.8's AnchorGenerator formulas worked by hand: w = stride·8/√r, h = stride·8·√r,
// centred on (x·stride, y·stride) with centre offset 0, no rounding, (y, x, ratio) order.
import { expect } from 'chai';
import {
  anchorsPerLocation,
  BoxOptionError,
  baseAnchors,
  concatLevels,
  gridAnchors,
  multiLevelAnchors,
} from '../../../../worker/internal.js';
import { expectClose } from '../../tf/helpers.js';

describe('anchors', () => {
  it('builds the stride-4 base anchors for ratios 0.5, 1, 2', () => {
    const halfLong = (4 * 8 * Math.SQRT2) / 2; // 22.627417
    const halfShort = (4 * 8) / Math.SQRT2 / 2; // 11.3137085
    expectClose(
      baseAnchors(4),
      [
        -halfLong,
        -halfShort,
        halfLong,
        halfShort,
        -16,
        -16,
        16,
        16,
        -halfShort,
        -halfLong,
        halfShort,
        halfLong,
      ],
      2e-6,
      'base anchors',
    );
  });

  it('gives 32..512 px square anchors over the five strides', () => {
    for (const [stride, half] of [
      [4, 16],
      [16, 64],
      [64, 256],
    ] as const) {
      expect(Array.from(baseAnchors(stride).subarray(4, 8))).to.deep.equal([-half, -half, half, half]);
    }
  });

  it('shifts by the stride in (y, x, anchor) order', () => {
    const anchors = gridAnchors(baseAnchors(8), { height: 2, width: 3 }, 8);
    expect(anchors.length).to.equal(2 * 3 * 3 * 4);
    const index = (1 * 3 + 2) * 3 + 1; // y = 1, x = 2, ratio 1 (32 × 32 around (16, 8))
    expect(Array.from(anchors.subarray(4 * index, 4 * index + 4))).to.deep.equal([-16, -24, 48, 40]);
  });

  it('moves centres with centerOffset', () => {
    expect(Array.from(baseAnchors(16, { ratios: [1], centerOffset: 0.5 }))).to.deep.equal([-56, -56, 72, 72]);
  });

  it('makes every level and concatenates them finest first', () => {
    const sizes = [4, 2, 1, 1, 1].map((n) => ({ height: n, width: n }));
    const levels = multiLevelAnchors(sizes);
    expect(levels.map((level) => level.length / 4)).to.deep.equal([48, 12, 3, 3, 3]);
    const all = concatLevels(levels);
    expect(all.length).to.equal(69 * 4);
    expect(Array.from(all.subarray(48 * 4, 48 * 4 + 4))).to.deep.equal(Array.from(levels[1]!.subarray(0, 4)));
    expect(anchorsPerLocation()).to.equal(3);
  });

  it('rejects a stride list that does not match the feature maps', () => {
    expect(() => multiLevelAnchors([{ height: 1, width: 1 }])).to.throw(BoxOptionError);
  });
});
