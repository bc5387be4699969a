// Parity with the reference libraries without running them: fixtures/cv2-pycocotools-oracle.py hashed what
// pycocotools 2.0.11 and OpenCV (4.14 and 5.1 agree) make of inputs drawn from a 32-bit LCG; the same LCG
// rebuilds those inputs here and our outputs must hash the same, bit for bit.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  decodeRleString,
  resizeBilinear,
  resizeMaskNearest,
  runLengthsToMask,
  segmentationMask,
} from '../../../worker/internal.js';

interface Oracle {
  opencv: string;
  polygons: Array<{ width: number; height: number; polygons: number[][]; rle: string; mask: string }>;
  resizes: Array<{
    width: number;
    height: number;
    newWidth: number;
    newHeight: number;
    linear: string;
    nearest: string;
  }>;
}

const oracle = JSON.parse(
  readFileSync(new URL('fixtures/cv2-pycocotools-oracle.json', import.meta.url), 'utf8'),
) as Oracle;

class Lcg {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state;
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const pixels = (rng: Lcg, count: number) => Uint8Array.from({ length: count }, () => rng.next() >>> 24);

describe('worker/data parity with pycocotools and OpenCV (hashed fixtures)', function () {
  it('rasterises polygons and decodes compressed RLE as pycocotools does', function () {
    expect(oracle.polygons).to.have.length(60);
    oracle.polygons.forEach((c, i) => {
      const rng = new Lcg(1000 + i);
      const [width, height] = [rng.int(4, 60), rng.int(4, 60)];
      expect([width, height]).to.deep.equal([c.width, c.height]);
      expect(sha256(segmentationMask(c.polygons, height, width)), `case ${i}`).to.equal(c.mask);
      expect(sha256(runLengthsToMask(decodeRleString(c.rle), height, width)), `case ${i}`).to.equal(c.mask);
    });
  });

  it('resizes like cv2.resize INTER_LINEAR (uint8 RGB) and INTER_NEAREST (masks)', function () {
    expect(oracle.resizes).to.have.length(80);
    oracle.resizes.forEach((c, i) => {
      const rng = new Lcg(5000 + i);
      if (i < 10) {
        rng.int(1, 40);
        rng.int(1, 40);
      } else {
        for (const [lo, hi] of [
          [1, 70],
          [1, 70],
          [1, 140],
          [1, 140],
        ] as const) {
          rng.int(lo, hi);
        }
      }
      const { width, height, newWidth, newHeight } = c;
      const image = pixels(rng, width * height * 3);
      const mask = pixels(rng, width * height).map((value) => value >> 7);
      const resized = resizeBilinear({ data: image, width, height }, newWidth, newHeight);
      expect(sha256(resized.data), `case ${i}: ${width}x${height} -> ${newWidth}x${newHeight}`).to.equal(
        c.linear,
      );
      const nearest = resizeMaskNearest(mask, width, height, newWidth, newHeight);
      expect(sha256(nearest), `case ${i}`).to.equal(c.nearest);
    });
  });
});
