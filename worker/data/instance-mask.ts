// An instance mask stored over its own extent: the 0/1 pixels of the rectangle [x, x + width) x
// [y, y + height) of the image, everything outside being 0. Stage 1 keeps up to a few hundred masks on a
// 1280 x 1280 canvas per image; with full-canvas bitmaps every resize, flip, pad and Copy-Paste step would
// touch canvas x instances bytes, while these touch only the instances' own pixels. Every function gives
// the same pixels as the full-bitmap operation (the tests expand masks and compare).
import { cvScale, type Window } from './resize.js';

export interface InstanceMask {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Row-major width x height, 0 or 1. */
  data: Uint8Array;
}

const empty = (): InstanceMask => ({ x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0) });

/** The tight extent [x1, y1, x2, y2) of the set pixels, or undefined when none is set. */
function extent(
  data: Uint8Array,
  width: number,
  height: number,
): [number, number, number, number] | undefined {
  let [x1, y1, x2, y2] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] === 0) continue;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      y2 = y;
    }
  }
  return x2 < 0 ? undefined : [x1, y1, x2 + 1, y2 + 1];
}

/** Crops `data` (width x height, placed at x, y) to its set pixels. */
function tighten(x: number, y: number, width: number, height: number, data: Uint8Array): InstanceMask {
  const box = extent(data, width, height);
  if (box === undefined) return empty();
  const [x1, y1, x2, y2] = box;
  if (x1 === 0 && y1 === 0 && x2 === width && y2 === height) return { x, y, width, height, data };
  const out = new Uint8Array((x2 - x1) * (y2 - y1));
  for (let row = y1; row < y2; row++)
    out.set(data.subarray(row * width + x1, row * width + x2), (row - y1) * (x2 - x1));
  return { x: x + x1, y: y + y1, width: x2 - x1, height: y2 - y1, data: out };
}

/** A full-image bitmap (imageWidth x imageHeight) as an instance mask. */
export function compactMask(full: Uint8Array, imageWidth: number, imageHeight: number): InstanceMask {
  return tighten(0, 0, imageWidth, imageHeight, full);
}

/** The full-image bitmap of an instance mask. */
export function expandMask(mask: InstanceMask, imageWidth: number, imageHeight: number): Uint8Array {
  const full = new Uint8Array(imageWidth * imageHeight);
  for (let row = 0; row < mask.height; row++) {
    full.set(
      mask.data.subarray(row * mask.width, (row + 1) * mask.width),
      (mask.y + row) * imageWidth + mask.x,
    );
  }
  return full;
}

/** mmdet `BitmapMasks.get_bboxes` for one mask: [x1, y1, x2 + 1, y2 + 1] of the set pixels, zeros if none. */
export function instanceMaskBox(mask: InstanceMask): [number, number, number, number] {
  const box = extent(mask.data, mask.width, mask.height);
  if (box === undefined) return [0, 0, 0, 0];
  return [mask.x + box[0], mask.y + box[1], mask.x + box[2], mask.y + box[3]];
}

export function instanceMaskArea(mask: InstanceMask): number {
  let area = 0;
  for (const value of mask.data) area += value;
  return area;
}

/** The output indices [from, to) of a nearest-neighbour axis whose source index lies in [lo, hi). */
function nearestRange(lo: number, hi: number, source: number, target: number, offset: number, count: number) {
  const ratio = cvScale(source, target);
  let from = count;
  let to = 0;
  for (let i = 0; i < count; i++) {
    const s = Math.min(Math.floor((offset + i) * ratio), source - 1);
    if (s >= lo && s < hi) {
      if (i < from) from = i;
      to = i + 1;
    }
  }
  return { from, to };
}

/**
 * resize.ts resizeMaskNearest (cv2 INTER_NEAREST) of the image-sized mask from imageWidth x imageHeight to
 * newWidth x newHeight, keeping `window` of the result; only the output pixels that sample the instance's
 * extent are computed.
 */
export function resizeInstanceMask(
  mask: InstanceMask,
  imageWidth: number,
  imageHeight: number,
  newWidth: number,
  newHeight: number,
  window: Window = { x: 0, y: 0, width: newWidth, height: newHeight },
): InstanceMask {
  if (mask.width === 0) return empty();
  const xs = nearestRange(mask.x, mask.x + mask.width, imageWidth, newWidth, window.x, window.width);
  const ys = nearestRange(mask.y, mask.y + mask.height, imageHeight, newHeight, window.y, window.height);
  if (xs.to <= xs.from || ys.to <= ys.from) return empty();
  // The same source index as the full-image resize, read from the local data (source index - mask offset).
  const width = xs.to - xs.from;
  const height = ys.to - ys.from;
  const data = new Uint8Array(width * height);
  const rx = cvScale(imageWidth, newWidth);
  const ry = cvScale(imageHeight, newHeight);
  for (let j = 0; j < height; j++) {
    const sy = Math.min(Math.floor((window.y + ys.from + j) * ry), imageHeight - 1) - mask.y;
    for (let i = 0; i < width; i++) {
      const sx = Math.min(Math.floor((window.x + xs.from + i) * rx), imageWidth - 1) - mask.x;
      data[j * width + i] = mask.data[sy * mask.width + sx]!;
    }
  }
  return tighten(xs.from, ys.from, width, height, data);
}

/** Mirror of the mask in an image of imageWidth columns. */
export function flipInstanceMask(mask: InstanceMask, imageWidth: number): InstanceMask {
  if (mask.width === 0) return mask;
  const data = new Uint8Array(mask.data.length);
  for (let row = 0; row < mask.height; row++) {
    const base = row * mask.width;
    for (let x = 0; x < mask.width; x++) data[base + mask.width - 1 - x] = mask.data[base + x]!;
  }
  return { x: imageWidth - mask.x - mask.width, y: mask.y, width: mask.width, height: mask.height, data };
}

/** Sets the mask's pixels in a full-image bitmap of imageWidth columns. */
export function paintMask(mask: InstanceMask, canvas: Uint8Array, imageWidth: number): void {
  for (let row = 0; row < mask.height; row++) {
    const base = (mask.y + row) * imageWidth + mask.x;
    for (let x = 0; x < mask.width; x++) if (mask.data[row * mask.width + x] === 1) canvas[base + x] = 1;
  }
}

/** The mask without the pixels set in `cover` (a full-image bitmap of imageWidth columns). */
export function subtractMask(mask: InstanceMask, cover: Uint8Array, imageWidth: number): InstanceMask {
  const data = new Uint8Array(mask.data.length);
  for (let row = 0; row < mask.height; row++) {
    const base = (mask.y + row) * imageWidth + mask.x;
    for (let x = 0; x < mask.width; x++) {
      data[row * mask.width + x] = cover[base + x] === 1 ? 0 : mask.data[row * mask.width + x]!;
    }
  }
  return tighten(mask.x, mask.y, mask.width, mask.height, data);
}
