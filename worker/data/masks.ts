// Instance masks from LVIS segmentations, as mmdet's LoadAnnotations(with_mask=True, poly2mask=True) builds
// them with pycocotools: a polygon list goes through `frPyObjects` (each polygon to an RLE by `rleFrPoly`:
// vertices scaled by 5 and rounded, the boundary walked densely, the crossings of pixel-centre columns kept,
// then scaled back) and `merge` (union); an RLE dict is decoded as is (`counts` a compressed string, the
// LEB128-like 6-bit code of `rleFrString`, or a list of run lengths). RLE runs are column-major and start
// with a run of zeros. A mask here is a row-major Uint8Array of height x width holding 0 or 1.
import type { LvisAnnotation } from '../../common/index.js';
import { SegmentationError } from './errors.js';

/** pycocotools `rleFrPoly`: run lengths (column-major) of one polygon [x0, y0, x1, y1, ...] on h x w. */
export function polygonRunLengths(xy: readonly number[], height: number, width: number): number[] {
  const scale = 5;
  const k = xy.length / 2;
  const x: number[] = [];
  const y: number[] = [];
  // C's (int) cast truncates toward zero.
  for (let j = 0; j < k; j++) x.push(Math.trunc(scale * xy[2 * j]! + 0.5));
  for (let j = 0; j < k; j++) y.push(Math.trunc(scale * xy[2 * j + 1]! + 0.5));
  x.push(x[0]!);
  y.push(y[0]!);
  // Dense integer points along every edge, stepping along its major axis.
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let [xs, xe, ys, ye] = [x[j]!, x[j + 1]!, y[j]!, y[j + 1]!];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) [xs, xe, ys, ye] = [xe, xs, ye, ys];
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(Math.trunc(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(Math.trunc(xs + s * t + 0.5));
      }
    }
  }
  // Where the boundary crosses a pixel-centre column: one y per crossing, back in pixel units.
  const starts: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    yd = Math.ceil(yd < 0 ? 0 : yd > height ? height : yd);
    starts.push(xd * height + yd);
  }
  starts.push(height * width);
  starts.sort((a, b) => a - b);
  // Differences of the sorted toggle positions are the runs; a zero run merges its neighbours.
  const a: number[] = [];
  let previous = 0;
  for (const position of starts) {
    a.push(position - previous);
    previous = position;
  }
  const counts = [a[0]!];
  for (let j = 1; j < a.length;) {
    if (a[j]! > 0) counts.push(a[j++]!);
    else {
      j++;
      if (j < a.length) counts[counts.length - 1]! += a[j++]!;
    }
  }
  return counts;
}

/** pycocotools `rleFrString`: the compressed `counts` string to run lengths. */
export function decodeRleString(text: string, field = 'counts'): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < text.length) {
    let value = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= text.length) throw new SegmentationError(field, 'the compressed RLE string ends mid-number');
      const c = text.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new SegmentationError(field, `character ${JSON.stringify(text[p])} at ${p}`);
      // 5 payload bits per character; bit 5 says another character follows; bit 4 of the last is the sign.
      value += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) value -= 2 ** (5 * k);
    }
    if (counts.length > 2) value += counts[counts.length - 2]!;
    counts.push(value);
  }
  return counts;
}

/** Run lengths (column-major, zeros first) to a row-major 0/1 mask; ORs into `into` when given. */
export function runLengthsToMask(
  counts: readonly number[],
  height: number,
  width: number,
  field = 'counts',
  into?: Uint8Array,
): Uint8Array {
  const mask = into ?? new Uint8Array(height * width);
  let position = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (!Number.isInteger(run) || run < 0) throw new SegmentationError(`${field}[${i}]`, `run ${run}`);
    if (i % 2 === 1) {
      for (let p = position; p < position + run; p++) {
        const column = Math.floor(p / height);
        mask[(p - column * height) * width + column] = 1;
      }
    }
    position += run;
  }
  if (position !== height * width) {
    throw new SegmentationError(field, `runs add up to ${position}, the image has ${height}x${width} pixels`);
  }
  return mask;
}

/**
 * An annotation's segmentation as a mask on the image (height x width): polygons (a first polygon of 4 numbers
 * makes pycocotools read every entry as an [x, y, w, h] box) or an RLE whose `size` is [height, width].
 */
export function segmentationMask(
  segmentation: NonNullable<LvisAnnotation['segmentation']>,
  height: number,
  width: number,
  field = 'segmentation',
): Uint8Array {
  if (Array.isArray(segmentation)) {
    const mask = new Uint8Array(height * width);
    const boxes = segmentation[0]?.length === 4;
    segmentation.forEach((polygon, i) => {
      let xy = polygon;
      if (boxes) {
        const [xs, ys, w, h] = polygon as [number, number, number, number];
        xy = [xs, ys, xs, ys + h, xs + w, ys + h, xs + w, ys];
      }
      if (xy.length < 6 || xy.length % 2 !== 0 || !xy.every(Number.isFinite)) {
        throw new SegmentationError(
          `${field}[${i}]`,
          `${xy.length} numbers, expected x,y pairs of >= 3 points`,
        );
      }
      runLengthsToMask(polygonRunLengths(xy, height, width), height, width, `${field}[${i}]`, mask);
    });
    return mask;
  }
  const [h, w] = segmentation.size;
  if (h !== height || w !== width) {
    throw new SegmentationError(`${field}.size`, `[${h}, ${w}], the image is [${height}, ${width}]`);
  }
  const counts =
    typeof segmentation.counts === 'string'
      ? decodeRleString(segmentation.counts, `${field}.counts`)
      : segmentation.counts;
  return runLengthsToMask(counts, height, width, `${field}.counts`);
}

/** mmdet `BitmapMasks.get_bboxes`: [x1, y1, x2 + 1, y2 + 1] of the set pixels, all zeros for an empty mask. */
export function maskBox(mask: Uint8Array, width: number, height: number): [number, number, number, number] {
  let [x1, y1, x2, y2] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === 0) continue;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      y2 = y;
    }
  }
  return x2 < 0 ? [0, 0, 0, 0] : [x1, y1, x2 + 1, y2 + 1];
}

/** Set pixels of a mask. */
export function maskArea(mask: Uint8Array): number {
  let area = 0;
  for (const value of mask) area += value;
  return area;
}
