import { expect } from 'chai';
import { roiLevel, roiLevels } from '../../../worker/internal.js';

describe('worker/model roiLevels (mmdet map_roi_levels, finest scale 56, P2-P5)', () => {
  // [w, h, level]: the bounds sit at sqrt(w*h) = 112, 224, 448; the +1e-6 puts an exact bound on the upper level.
  const table: [number, number, number][] = [
    [0, 0, 0],
    [1, 1, 0],
    [56, 56, 0],
    [111.9, 111.9, 0],
    [112, 112, 1],
    [56, 224, 1],
    [223.9, 223.9, 1],
    [224, 224, 2],
    [447, 447, 2],
    [448, 448, 3],
    [2000, 1000, 3],
  ];
  for (const [w, h, level] of table) {
    it(`maps a ${w}x${h} box to level ${level}`, () => {
      expect(roiLevel(10, 20, 10 + w, 20 + h)).to.equal(level);
    });
  }

  it('clamps to the number of levels and honours finestScale', () => {
    expect(roiLevel(0, 0, 448, 448, { numLevels: 3 })).to.equal(2);
    expect(roiLevel(0, 0, 64, 64, { finestScale: 16 })).to.equal(2);
  });

  it('maps a flat list of boxes in order', () => {
    expect(Array.from(roiLevels([0, 0, 50, 50, 0, 0, 300, 300, 5, 5, 5, 5]))).to.deep.equal([0, 2, 0]);
  });
});
