// FHM's box generator (spec 3.3) with a replayed generator, so every jittered coordinate is hand-computable:
// coordinate r of copy k moves by S[r][k]·U[r][k]·(w or h)/6, then x is clamped to [0, W−1], y to [0, H−1].
import { expect } from 'chai';
import {
  JITTER_SIGNS,
  jitterGroundTruthBoxes,
  JITTERS_PER_BOX,
  LossOptionError,
  LossShapeError,
} from '../../../../worker/internal.js';
import { expectClose, replay } from '../../tf/helpers.js';

const IMAGE = { height: 100, width: 70 };

function copy(boxes: Float32Array, row: number): number[] {
  return Array.from(boxes.subarray(4 * row, 4 * row + 4));
}

describe('FHM box jitter (spec 3.3)', () => {
  it('uses sign rows of −1/+1 blocks of length 8, 4, 2, 1 covering all 16 patterns', () => {
    expect(JITTER_SIGNS[0]).to.deep.equal([-1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(JITTER_SIGNS[1]).to.deep.equal([-1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1]);
    expect(JITTER_SIGNS[2]).to.deep.equal([-1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1]);
    expect(JITTER_SIGNS[3]).to.deep.equal([-1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1]);
    const patterns = new Set(Array.from({ length: 16 }, (_, k) => JITTER_SIGNS.map((row) => row[k]).join()));
    expect(patterns.size).to.equal(16);
  });

  it('moves each coordinate by S·U·size/6 with one U shared by all boxes of the image, then clamps', () => {
    // U = 0.6 everywhere. Box A (10, 20, 70, 50): w/6 = 10, h/6 = 5, so x moves ±6 and y ±3.
    // Box B (0, 0, 6, 12): w/6 = 1, h/6 = 2, so x moves ±0.6 and y ±1.2.
    const rng = replay(new Array<number>(64).fill(0.6));
    const { boxes, labels } = jitterGroundTruthBoxes([10, 20, 70, 50, 0, 0, 6, 12], [2, 0], IMAGE, 3, rng);
    expect(boxes.length).to.equal(2 * JITTERS_PER_BOX * 4);
    expect(Array.from(labels)).to.deep.equal([
      ...new Array<number>(16).fill(2),
      ...new Array<number>(16).fill(0),
    ]);
    expectClose(copy(boxes, 0), [10 - 6, 20 - 3, 70 - 6, 50 - 3], 1e-5, 'A, k=0 (− − − −)');
    // k = 5: signs (−, +, −, +)
    expectClose(copy(boxes, 5), [10 - 6, 20 + 3, 70 - 6, 50 + 3], 1e-5, 'A, k=5');
    // k = 15: all +; x2 = 76 clamps to W − 1 = 69
    expectClose(copy(boxes, 15), [10 + 6, 20 + 3, 69, 50 + 3], 1e-5, 'A, k=15');
    // B, k = 0: x1 = −0.6 and y1 = −1.2 clamp to 0
    expectClose(copy(boxes, 16), [0, 0, 6 - 0.6, 12 - 1.2], 1e-5, 'B, k=0');
  });

  it('draws U as 4×16 row-major uniforms, 64 per image', () => {
    // U[r][k] = (16r + k)/64. Box (0, 0, 60, 30) sits inside a 100×70 image: w/6 = 10, h/6 = 5.
    const draws = Array.from({ length: 64 }, (_, i) => i / 64);
    const { boxes } = jitterGroundTruthBoxes([0, 10, 60, 40], [1], IMAGE, 3, replay(draws));
    // k = 3: signs (−, −, +, +). x1: 0 − (3/64)·10 → clamps to 0; y1: 10 − (19/64)·5;
    // x2: 60 + (35/64)·10; y2: 40 + (51/64)·5.
    expectClose(
      copy(boxes, 3),
      [0, 10 - (19 / 64) * 5, 60 + (35 / 64) * 10, 40 + (51 / 64) * 5],
      1e-5,
      'k=3',
    );
    expect(() => jitterGroundTruthBoxes([0, 0, 1, 1], [0], IMAGE, 3, replay(draws.slice(0, 63)))).to.throw(
      /asked for draw 64/,
    );
  });

  it('draws nothing for an image without GT boxes', () => {
    const { boxes, labels } = jitterGroundTruthBoxes([], [], IMAGE, 3, replay([]));
    expect(boxes.length).to.equal(0);
    expect(labels.length).to.equal(0);
  });

  it('rejects boxes that do not match the labels and labels outside the foreground classes', () => {
    const rng = replay(new Array<number>(64).fill(0.5));
    expect(() => jitterGroundTruthBoxes([0, 0, 1], [0], IMAGE, 3, rng))
      .to.throw(LossShapeError)
      .with.property('input', 'gtBoxes');
    expect(() => jitterGroundTruthBoxes([0, 0, 1, 1], [3], IMAGE, 3, rng))
      .to.throw(LossOptionError)
      .with.property('option', 'gtLabels[0]');
    expect(() => jitterGroundTruthBoxes([0, 0, 1, 1], [0], { height: 0, width: 5 }, 3, rng))
      .to.throw(LossOptionError)
      .with.property('option', 'image.height');
  });
});
