// Resizing a packed RGB image and its instance masks the way mmcv 1.2.7 `imrescale` does on the CPU:
// - size: mmcv `rescale_size` with a (long, short) scale and keep_ratio, i.e. factor = min(long / max(w, h),
//   short / min(w, h)) and each side int(side x factor + 0.5) (worker/model's rescaleSize, reused);
// - image: cv2.resize INTER_LINEAR geometry, source x = (x + 0.5) * src / dst - 0.5 with the two neighbours
//   clamped to the border, computed in float64 and rounded half up to uint8. cv2 itself uses 11-bit fixed-point
//   weights on uint8, so a pixel can differ from OpenCV's by one grey level;
// - masks: cv2 INTER_NEAREST (mmdet `BitmapMasks.rescale`), source x = min(floor(x * src / dst), src - 1).
// Both take an optional window of the resized result, so a resize followed by a crop (stage 1) only computes
// the pixels the crop keeps: the same values as resizing whole and cropping.

/** A rectangle of the resized image: the pixels [x, x + width) x [y, y + height). */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Packed RGB (or any 3-channel) pixels, row-major, 0-255. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

function linearTaps(source: number, target: number, from: number, count: number) {
  const index = new Int32Array(2 * count);
  const weight = new Float64Array(count);
  const ratio = source / target;
  for (let i = 0; i < count; i++) {
    const f = (from + i + 0.5) * ratio - 0.5;
    const s = Math.floor(f);
    index[2 * i] = Math.min(Math.max(s, 0), source - 1);
    index[2 * i + 1] = Math.min(Math.max(s + 1, 0), source - 1);
    weight[i] = f - s;
  }
  return { index, weight };
}

/** Bilinear (cv2 INTER_LINEAR) resize of `image` to width x height, or of `window` of that result. */
export function resizeBilinear(image: RgbImage, width: number, height: number, window?: Window): RgbImage {
  const out = window ?? { x: 0, y: 0, width, height };
  const xs = linearTaps(image.width, width, out.x, out.width);
  const ys = linearTaps(image.height, height, out.y, out.height);
  const data = new Uint8Array(out.width * out.height * 3);
  const src = image.data;
  const rowStride = image.width * 3;
  for (let y = 0; y < out.height; y++) {
    const wy = ys.weight[y]!;
    const row0 = ys.index[2 * y]! * rowStride;
    const row1 = ys.index[2 * y + 1]! * rowStride;
    for (let x = 0; x < out.width; x++) {
      const wx = xs.weight[x]!;
      const c0 = xs.index[2 * x]! * 3;
      const c1 = xs.index[2 * x + 1]! * 3;
      const o = (y * out.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[row0 + c0 + c]! * (1 - wx) + src[row0 + c1 + c]! * wx;
        const bottom = src[row1 + c0 + c]! * (1 - wx) + src[row1 + c1 + c]! * wx;
        data[o + c] = Math.floor(top * (1 - wy) + bottom * wy + 0.5);
      }
    }
  }
  return { data, width: out.width, height: out.height };
}

function nearestTaps(source: number, target: number, from: number, count: number): Int32Array {
  const index = new Int32Array(count);
  const ratio = source / target;
  for (let i = 0; i < count; i++) index[i] = Math.min(Math.floor((from + i) * ratio), source - 1);
  return index;
}

/** Nearest (cv2 INTER_NEAREST) resize of a one-channel mask of width x height, or of a window of it. */
export function resizeMaskNearest(
  mask: Uint8Array,
  width: number,
  height: number,
  newWidth: number,
  newHeight: number,
  window?: Window,
): Uint8Array {
  const out = window ?? { x: 0, y: 0, width: newWidth, height: newHeight };
  const xs = nearestTaps(width, newWidth, out.x, out.width);
  const ys = nearestTaps(height, newHeight, out.y, out.height);
  const data = new Uint8Array(out.width * out.height);
  for (let y = 0; y < out.height; y++) {
    const row = ys[y]! * width;
    for (let x = 0; x < out.width; x++) data[y * out.width + x] = mask[row + xs[x]!]!;
  }
  return data;
}
