// Mask rasterisation (pycocotools semantics): hand-checked polygons, and every polygon against its own RLE,
// built here from the rasterised bitmap by an encoder written for the test (column-major runs, then the
// 6-bit compressed string), so the decoders are checked against an independent implementation.
import { expect } from 'chai';
import { SeededRandom } from '../../../common/index.js';
import {
  decodeRleString,
  maskArea,
  maskBox,
  SegmentationError,
  segmentationMask,
} from '../../../worker/internal.js';

/** Row-major 0/1 bitmap -> column-major run lengths starting with zeros (the COCO RLE). */
function encodeRuns(mask: Uint8Array, height: number, width: number): number[] {
  const runs: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const value = mask[y * width + x]!;
      if (value === current) run++;
      else {
        runs.push(run);
        current = value;
        run = 1;
      }
    }
  }
  runs.push(run);
  return runs;
}

/** Run lengths -> COCO's compressed string: deltas against the run two back (from the fourth run on), 5 bits a
 * character with a continuation bit, offset by 48. */
function compressRuns(runs: readonly number[]): string {
  let text = '';
  runs.forEach((count, i) => {
    let value = i > 2 ? count - runs[i - 2]! : count;
    for (;;) {
      let chunk = value & 0x1f;
      value >>= 5;
      const more = chunk & 0x10 ? value !== -1 : value !== 0;
      if (more) chunk |= 0x20;
      text += String.fromCharCode(chunk + 48);
      if (!more) break;
    }
  });
  return text;
}

function randomPolygon(random: SeededRandom, width: number, height: number): number[] {
  // A star-shaped (possibly concave) polygon around a random centre, partly off the image sometimes.
  const cx = random.real(-5, width + 5);
  const cy = random.real(-5, height + 5);
  const points = random.int(3, 12);
  const xy: number[] = [];
  for (let i = 0; i < points; i++) {
    const angle = (2 * Math.PI * i) / points;
    const radius = random.real(2, Math.min(width, height) / 2);
    xy.push(cx + radius * Math.cos(angle), cy + radius * Math.sin(angle));
  }
  return xy;
}

describe('worker/data masks', function () {
  it('rasterises an axis-aligned rectangle polygon to exactly its w x h pixels', function () {
    const mask = segmentationMask([[10, 5, 20, 5, 20, 12, 10, 12]], 30, 40);
    expect(maskArea(mask)).to.equal(10 * 7);
    expect(maskBox(mask, 40, 30)).to.deep.equal([10, 5, 20, 12]);
    expect(mask[5 * 40 + 10]).to.equal(1);
    expect(mask[11 * 40 + 19]).to.equal(1);
    expect(mask[12 * 40 + 19]).to.equal(0);
    expect(mask[11 * 40 + 20]).to.equal(0);
  });

  it('reads a first entry of 4 numbers as [x, y, w, h] boxes, as frPyObjects does', function () {
    const boxes = segmentationMask([[10, 5, 10, 7]], 30, 40);
    expect(boxes).to.deep.equal(segmentationMask([[10, 5, 20, 5, 20, 12, 10, 12]], 30, 40));
  });

  it('takes the union of an annotation polygons (pycocotools merge)', function () {
    const both = segmentationMask(
      [
        [0, 0, 4, 0, 4, 4, 0, 4],
        [2, 2, 8, 2, 8, 6, 2, 6],
      ],
      10,
      10,
    );
    expect(maskArea(both)).to.equal(16 + 24 - 4);
    expect(maskBox(both, 10, 10)).to.deep.equal([0, 0, 8, 6]);
  });

  it('rasterises polygons and their RLE (list and compressed string) to the same pixels', function () {
    const random = new SeededRandom(7);
    for (let trial = 0; trial < 60; trial++) {
      const width = random.int(8, 70);
      const height = random.int(8, 70);
      const polygons = Array.from({ length: random.int(1, 3) }, () => randomPolygon(random, width, height));
      const fromPolygons = segmentationMask(polygons, height, width);
      const runs = encodeRuns(fromPolygons, height, width);
      const fromList = segmentationMask({ counts: runs, size: [height, width] }, height, width);
      const fromString = segmentationMask(
        { counts: compressRuns(runs), size: [height, width] },
        height,
        width,
      );
      expect(fromList, `trial ${trial}`).to.deep.equal(fromPolygons);
      expect(fromString, `trial ${trial}`).to.deep.equal(fromPolygons);
      expect(decodeRleString(compressRuns(runs))).to.deep.equal(runs);
    }
  });

  it('decodes runs whose deltas are negative and span several characters', function () {
    const runs = [5000, 3, 40, 1, 70000, 2, 0, 9];
    expect(decodeRleString(compressRuns(runs))).to.deep.equal(runs);
  });

  it('names the field when an RLE does not fit the image', function () {
    expect(() => segmentationMask({ counts: [3, 4], size: [3, 3] }, 3, 3, 'ann 7.segmentation'))
      .to.throw(SegmentationError, 'ann 7.segmentation.counts')
      .with.property('problem')
      .that.contains('7');
    expect(() => segmentationMask({ counts: [9], size: [3, 4] }, 3, 3)).to.throw(SegmentationError, 'size');
    expect(() => segmentationMask([[1, 2, 3, 4, 5]], 3, 3)).to.throw(SegmentationError, 'segmentation[0]');
  });

  it('gives mmdet get_bboxes extents: x2, y2 one past the last pixel, zeros when empty', function () {
    const mask = new Uint8Array(6 * 5);
    mask[1 * 6 + 2] = 1;
    mask[3 * 6 + 4] = 1;
    expect(maskBox(mask, 6, 5)).to.deep.equal([2, 1, 5, 4]);
    expect(maskBox(new Uint8Array(30), 6, 5)).to.deep.equal([0, 0, 0, 0]);
  });
});
