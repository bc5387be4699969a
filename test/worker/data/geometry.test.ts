// Resize, crop, flip, pad and Copy-Paste on hand-built images whose right answers are worked out by hand, and
// the invariant the stage-1 pipeline relies on: every box equals its mask's extent after the crop and after
// Copy-Paste.
import { expect } from 'chai';
import { SeededRandom } from '../../../common/index.js';
import {
  compactMask,
  copyPaste,
  expandMask,
  flipInstanceMask,
  resizeInstanceMask,
  subtractMask,
  type InstanceMask,
  flipAnnotated,
  maskBox,
  padAnnotated,
  representationLoad,
  resizeAnnotated,
  resizeBilinear,
  resizeMaskNearest,
  type AnnotatedImage,
  type CopyPasteOptions,
  type RepresentationPipeline,
} from '../../../worker/internal.js';

/** A mask of width x height with the rectangle [x1, x2) x [y1, y2) set. */
function rectBitmap(width: number, height: number, [x1, y1, x2, y2]: readonly number[]): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = y1!; y < y2!; y++) for (let x = x1!; x < x2!; x++) mask[y * width + x] = 1;
  return mask;
}

const rectMask = (width: number, height: number, rect: readonly number[]): InstanceMask =>
  compactMask(rectBitmap(width, height, rect), width, height);

function grey(width: number, height: number, value: number): Uint8Array {
  return new Uint8Array(width * height * 3).fill(value);
}

function expectBoxesAreMaskExtents(sample: AnnotatedImage): void {
  const { width, height } = sample.image;
  sample.masks!.forEach((mask, i) => {
    expect(Array.from(sample.boxes.subarray(4 * i, 4 * i + 4)), `instance ${i}`).to.deep.equal(
      maskBox(expandMask(mask, width, height), width, height),
    );
  });
}

const cp: CopyPasteOptions = { maxPasted: 100, bboxOccludedThr: 10, maskOccludedThr: 300 };

describe('worker/data geometry', function () {
  it('resizes bilinearly with half-pixel centres and clamped borders (cv2 INTER_LINEAR)', function () {
    const image = { data: new Uint8Array([0, 0, 0, 100, 100, 100]), width: 2, height: 1 };
    const up = resizeBilinear(image, 4, 1);
    expect(Array.from(up.data.filter((_, i) => i % 3 === 0))).to.deep.equal([0, 25, 75, 100]);
    const down = resizeBilinear(
      { data: new Uint8Array([0, 0, 0, 40, 40, 40, 80, 80, 80, 120, 120, 120]), width: 4, height: 1 },
      2,
      1,
    );
    expect(Array.from(down.data.filter((_, i) => i % 3 === 0))).to.deep.equal([20, 100]);
  });

  it('resizes masks by nearest neighbour (cv2 INTER_NEAREST: floor(x * src / dst))', function () {
    const mask = new Uint8Array([0, 1, 1, 0, 1, 0]);
    expect(Array.from(resizeMaskNearest(mask, 3, 2, 6, 2))).to.deep.equal([
      0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0,
    ]);
    expect(Array.from(resizeMaskNearest(mask, 3, 2, 2, 1))).to.deep.equal([0, 1]);
  });

  it('computes a window of the resize exactly as resizing whole and cropping', function () {
    const random = new SeededRandom(3);
    const data = Uint8Array.from({ length: 13 * 9 * 3 }, () => random.int(0, 255));
    const mask = Uint8Array.from({ length: 13 * 9 }, () => random.int(0, 1));
    const whole = resizeBilinear({ data, width: 13, height: 9 }, 20, 14);
    const part = resizeBilinear({ data, width: 13, height: 9 }, 20, 14, { x: 5, y: 3, width: 11, height: 8 });
    const wholeMask = resizeMaskNearest(mask, 13, 9, 20, 14);
    const partMask = resizeMaskNearest(mask, 13, 9, 20, 14, { x: 5, y: 3, width: 11, height: 8 });
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 11; x++) {
        expect(partMask[y * 11 + x]).to.equal(wholeMask[(y + 3) * 20 + x + 5]);
        for (let c = 0; c < 3; c++)
          expect(part.data[(y * 11 + x) * 3 + c]).to.equal(whole.data[((y + 3) * 20 + x + 5) * 3 + c]);
      }
    }
  });

  it('keeps instance masks (stored over their extent) equal to full-bitmap resize, flip and subtract', function () {
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 50; trial++) {
      const width = random.int(5, 40);
      const height = random.int(5, 40);
      const full = new Uint8Array(width * height);
      const [x1, y1] = [random.int(0, width - 1), random.int(0, height - 1)];
      const [x2, y2] = [random.int(x1 + 1, width), random.int(y1 + 1, height)];
      for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) full[y * width + x] = random.int(0, 1);
      const mask = compactMask(full, width, height);
      expect(expandMask(mask, width, height)).to.deep.equal(full);
      const [newWidth, newHeight] = [random.int(3, 70), random.int(3, 70)];
      const wx = random.int(0, newWidth - 1);
      const wy = random.int(0, newHeight - 1);
      const window = {
        x: wx,
        y: wy,
        width: random.int(1, newWidth - wx),
        height: random.int(1, newHeight - wy),
      };
      const resized = resizeInstanceMask(mask, width, height, newWidth, newHeight, window);
      expect(expandMask(resized, window.width, window.height), `trial ${trial}`).to.deep.equal(
        resizeMaskNearest(full, width, height, newWidth, newHeight, window),
      );
      const mirrored = new Uint8Array(full.length);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) mirrored[y * width + width - 1 - x] = full[y * width + x]!;
      expect(expandMask(flipInstanceMask(mask, width), width, height)).to.deep.equal(mirrored);
      const cover = Uint8Array.from({ length: width * height }, () => random.int(0, 1));
      expect(expandMask(subtractMask(mask, cover, width), width, height)).to.deep.equal(
        full.map((value, p) => (cover[p] ? 0 : value)),
      );
    }
  });

  it('scales, shifts and clips boxes to the crop window', function () {
    const sample: AnnotatedImage = {
      image: { data: grey(10, 10, 0), width: 10, height: 10 },
      boxes: new Float32Array([1, 1, 4, 4, 6, 2, 12, 9]),
      labels: new Int32Array([0, 1]),
    };
    const out = resizeAnnotated(sample, 20, 20, { x: 4, y: 2, width: 10, height: 10 });
    expect(Array.from(out.boxes)).to.deep.equal([0, 0, 4, 6, 8, 2, 10, 10]);
  });

  it('flips pixels, boxes and masks horizontally (x1 = w - x2)', function () {
    const sample: AnnotatedImage = {
      image: { data: new Uint8Array([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]), width: 4, height: 1 },
      boxes: new Float32Array([0, 0, 1, 1]),
      labels: new Int32Array([5]),
      masks: [compactMask(new Uint8Array([1, 0, 0, 0]), 4, 1)],
    };
    const flipped = flipAnnotated(sample);
    expect(Array.from(flipped.image.data.filter((_, i) => i % 3 === 0))).to.deep.equal([4, 3, 2, 1]);
    expect(Array.from(flipped.boxes)).to.deep.equal([3, 0, 4, 1]);
    expectBoxesAreMaskExtents(flipped);
  });

  it('pads with zeros and remembers the image part (mmdet img_shape)', function () {
    const sample: AnnotatedImage = {
      image: { data: grey(2, 1, 9), width: 2, height: 1 },
      boxes: new Float32Array(0),
      labels: new Int32Array(0),
      masks: [],
    };
    const padded = padAnnotated(sample, 3, 2);
    expect(Array.from(padded.image.data)).to.deep.equal([
      9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(padded.imageShape).to.deep.equal({ width: 2, height: 1 });
  });

  describe('stage-1 load pipeline (resize jitter, crop, filter, flip, pad)', function () {
    const pipeline: RepresentationPipeline = {
      kind: 'representation',
      imgScale: 64,
      ratioRange: [0.8, 1.25],
      cropSize: 48,
      minBoxSize: 0.01,
      flipRatio: 0.5,
      copyPaste: cp,
      sizeDivisor: 16,
    };

    it('keeps every box equal to its cropped mask extent and pads to the canvas', function () {
      for (let trial = 0; trial < 40; trial++) {
        const random = new SeededRandom(100 + trial);
        const width = random.int(40, 90);
        const height = random.int(40, 90);
        const rects = Array.from({ length: random.int(1, 6) }, () => {
          const x1 = random.int(0, width - 4);
          const y1 = random.int(0, height - 4);
          return [x1, y1, random.int(x1 + 1, width), random.int(y1 + 1, height)];
        });
        const sample: AnnotatedImage = {
          image: { data: grey(width, height, 50), width, height },
          boxes: new Float32Array(rects.flat()),
          labels: Int32Array.from(rects, (_, i) => i),
          masks: rects.map((rect) => rectMask(width, height, rect)),
        };
        const out = representationLoad(sample, new SeededRandom(trial), pipeline);
        if (out === undefined) continue;
        expect(out.image.width).to.equal(48);
        expect(out.image.height).to.equal(48);
        expect(out.masks).to.have.length(out.labels.length);
        expect(out.labels.length).to.be.greaterThan(0);
        expectBoxesAreMaskExtents(out);
        expect(out.imageShape!.width).to.be.at.most(48);
      }
    });

    it('recomputes a box from the cropped mask, not from the clipped box', function () {
      // An L-shaped mask: its box [0, 0, 40, 40] clipped to a crop of the right half would stay 20 wide,
      // but the mask there is only the bottom bar.
      const mask = new Uint8Array(40 * 40);
      for (let y = 0; y < 40; y++) mask[y * 40] = 1;
      for (let x = 0; x < 40; x++) mask[39 * 40 + x] = 1;
      const sample: AnnotatedImage = {
        image: { data: grey(40, 40, 10), width: 40, height: 40 },
        boxes: new Float32Array([0, 0, 40, 40]),
        labels: new Int32Array([3]),
        masks: [compactMask(mask, 40, 40)],
      };
      const fixed: RepresentationPipeline = {
        ...pipeline,
        imgScale: 40,
        ratioRange: [1, 1],
        cropSize: 20,
        flipRatio: 0,
      };
      for (let seed = 0; seed < 10; seed++) {
        const out = representationLoad(sample, new SeededRandom(seed), fixed);
        if (out === undefined) continue;
        expectBoxesAreMaskExtents(out);
        const [x1, y1, x2, y2] = Array.from(out.boxes);
        expect(x2! - x1! === 1 || y2! - y1! === 1, `seed ${seed}: ${out.boxes.join(',')}`).to.equal(true);
      }
    });

    it('returns undefined when no instance is left in the crop', function () {
      const sample: AnnotatedImage = {
        image: { data: grey(40, 40, 10), width: 40, height: 40 },
        boxes: new Float32Array([0, 0, 1, 1]),
        labels: new Int32Array([0]),
        masks: [rectMask(40, 40, [0, 0, 1, 1])],
      };
      const fixed: RepresentationPipeline = {
        ...pipeline,
        imgScale: 40,
        ratioRange: [1, 1],
        cropSize: 10,
        flipRatio: 0,
      };
      const results = Array.from({ length: 20 }, (_, seed) =>
        representationLoad(sample, new SeededRandom(seed), fixed),
      );
      expect(results.some((r) => r === undefined)).to.equal(true);
      for (const r of results) if (r !== undefined) expectBoxesAreMaskExtents(r);
    });
  });

  describe('Copy-Paste', function () {
    const size = 40;
    const destination = (): AnnotatedImage => ({
      image: { data: grey(size, size, 10), width: size, height: size },
      // 0: 30x30 square, half covered later (keeps: large area); 1: 10x10 square fully covered (dropped);
      // 2: 4x4 square partly covered at its left (box moves 2 px: kept although small).
      boxes: new Float32Array([0, 0, 30, 30, 30, 30, 40, 40, 26, 0, 30, 4]),
      labels: new Int32Array([0, 1, 2]),
      masks: [
        rectMask(size, size, [0, 0, 30, 30]),
        rectMask(size, size, [30, 30, 40, 40]),
        rectMask(size, size, [26, 0, 30, 4]),
      ],
    });
    const source = (): AnnotatedImage => ({
      image: { data: grey(size, size, 200), width: size, height: size },
      boxes: new Float32Array([0, 0, 15, 30, 28, 28, 40, 40]),
      labels: new Int32Array([7, 8]),
      masks: [
        rectMask(size, size, [0, 0, 15, 30]),
        rectMask(
          size,
          size,
          [28, 0, 40, 40].map((v, i) => (i === 1 ? 28 : v)),
        ),
      ],
    });

    /** A seed whose draw pastes both source instances. */
    function seedPastingAll(): number {
      for (let seed = 0; ; seed++) {
        const random = new SeededRandom(seed);
        if (random.int(0, 2) === 2) return seed;
      }
    }

    it('pastes pixels through the masks, trims and drops occluded objects, appends the source objects', function () {
      const out = copyPaste(destination(), source(), new SeededRandom(seedPastingAll()), cp);
      // Destination 0 loses x < 15 and its 2 x 2 bottom-right corner: box [15, 0, 30, 30] (rows above 28 still
      // reach x = 29). Destination 1 is fully covered: box moved and area 0 -> dropped. Destination 2 is not
      // touched (the second source mask starts at y = 28): kept as is.
      expect(Array.from(out.labels.subarray(0, 2))).to.deep.equal([0, 2]);
      expect(Array.from(out.labels.subarray(2)).sort()).to.deep.equal([7, 8]);
      expect(Array.from(out.boxes.subarray(0, 4))).to.deep.equal([15, 0, 30, 30]);
      expect(Array.from(out.boxes.subarray(4, 8))).to.deep.equal([26, 0, 30, 4]);
      expectBoxesAreMaskExtents(out);
      expect(out.image.data[(5 * size + 5) * 3]).to.equal(200);
      expect(out.image.data[(5 * size + 20) * 3]).to.equal(10);
      expect(out.image.data[(35 * size + 35) * 3]).to.equal(200);
    });

    it('keeps an object whose box moved when more than mask_occluded_thr pixels remain', function () {
      const dst = destination();
      const src: AnnotatedImage = {
        ...source(),
        boxes: new Float32Array([0, 0, 15, 30]),
        labels: new Int32Array([7]),
        masks: [rectMask(size, size, [0, 0, 15, 30])],
      };
      for (let seed = 0; seed < 30; seed++) {
        const out = copyPaste(dst, src, new SeededRandom(seed), { ...cp, maskOccludedThr: 300 });
        if (out.labels.length === 3) continue; // drew k = 0
        // Destination 0 (box x1 moves 15 px, 450 px remain > 300) stays; so do 1 and 2.
        expect(Array.from(out.labels)).to.deep.equal([0, 1, 2, 7]);
        expectBoxesAreMaskExtents(out);
        const dropped = copyPaste(dst, src, new SeededRandom(seed), { ...cp, maskOccludedThr: 450 });
        expect(Array.from(dropped.labels)).to.deep.equal([1, 2, 7]);
        return;
      }
      expect.fail('no seed pasted');
    });

    it('draws k from 0..min(n, max - 1) and changes nothing when k = 0', function () {
      const pasted = new Set<number>();
      for (let seed = 0; seed < 200; seed++) {
        const out = copyPaste(destination(), source(), new SeededRandom(seed), { ...cp, maxPasted: 2 });
        const count = Array.from(out.labels).filter((l) => l >= 7).length;
        pasted.add(count);
        if (count === 0) expect(out).to.deep.equal(destination());
      }
      expect([...pasted].sort()).to.deep.equal([0, 1]);
      expect(copyPaste(destination(), source(), new SeededRandom(0), { ...cp, maxPasted: 0 })).to.deep.equal(
        destination(),
      );
    });
  });
});
