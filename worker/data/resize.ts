// Resizing a packed RGB image and its instance masks the way mmcv 1.2.7 `imrescale` does on the CPU:
// - size: mmcv `rescale_size` with a (long, short) scale and keep_ratio, i.e. factor = min(long / max(w, h),
//   short / min(w, h)) and each side int(side x factor + 0.5) (worker/model's rescaleSize, reused);
// - image: cv2.resize INTER_LINEAR on uint8 as OpenCV computes it, source x = (x + 0.5) * src / dst - 0.5 in
//   float32, 11-bit integer weights, its SIMD vertical rounding, and fast INTER_AREA at exactly half size
//   (checked equal, pixel for pixel, to opencv-python's cv2.resize on random size pairs);
// - masks: cv2 INTER_NEAREST (mmdet `BitmapMasks.rescale`), source x = min(floor(x * cvScale), src - 1).
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

/** cv2's source step per output pixel: 1 / (dst / src), which can differ from src / dst in the last bit. */
export function cvScale(source: number, target: number): number {
  return 1 / (target / source);
}

const COEF_SCALE = 2048; // cv2 INTER_RESIZE_COEF_BITS = 11

/** C's lrint (cvRound): nearest integer, halves to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * cv2's linear taps for output indices [from, from + count): f = float32((d + 0.5) * src / dst - 0.5),
 * s = floor(f), weights round((1 - (f - s)) * 2048) and round((f - s) * 2048). Columns outside the source
 * are pinned to the edge with weights (2048, 0) (`resetBorder`, cv2's x axis); rows keep their fraction and
 * read clamped rows (cv2's y axis), which rounds differently in the vertical pass.
 */
function linearTaps(source: number, target: number, from: number, count: number, resetBorder: boolean) {
  const index = new Int32Array(2 * count);
  const weight = new Int32Array(2 * count);
  const ratio = cvScale(source, target);
  for (let i = 0; i < count; i++) {
    let f = Math.fround((from + i + 0.5) * ratio - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (resetBorder && s < 0) [f, s] = [0, 0];
    if (resetBorder && s >= source - 1) [f, s] = [0, source - 1];
    index[2 * i] = Math.min(Math.max(s, 0), source - 1);
    index[2 * i + 1] = Math.min(Math.max(s + 1, 0), source - 1);
    weight[2 * i] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    weight[2 * i + 1] = roundHalfEven(f * COEF_SCALE);
  }
  return { index, weight };
}

/** cv2's fast INTER_AREA, which cv2.resize uses for INTER_LINEAR at exactly half size: (a + b + c + d + 2) >> 2. */
function halveArea(image: RgbImage, out: Window): RgbImage {
  const data = new Uint8Array(out.width * out.height * 3);
  const stride = image.width * 3;
  for (let y = 0; y < out.height; y++) {
    const top = 2 * (out.y + y) * stride;
    for (let x = 0; x < out.width; x++) {
      const left = 2 * (out.x + x) * 3;
      for (let c = 0; c < 3; c++) {
        const p = top + left + c;
        const sum =
          image.data[p]! + image.data[p + 3]! + image.data[p + stride]! + image.data[p + stride + 3]!;
        data[(y * out.width + x) * 3 + c] = (sum + 2) >> 2;
      }
    }
  }
  return { data, width: out.width, height: out.height };
}

/**
 * Bilinear (cv2 INTER_LINEAR on uint8) resize of `image` to width x height, or of `window` of that result.
 * Integer arithmetic as OpenCV's: a horizontal pass with 11-bit weights, then the vertical pass of its SIMD
 * kernel (VResizeLinearVec_32s8u: rows >> 4, products >> 16, + 2, >> 2), which x86 and ARM builds both run.
 */
export function resizeBilinear(image: RgbImage, width: number, height: number, window?: Window): RgbImage {
  const out = window ?? { x: 0, y: 0, width, height };
  if (image.width === 2 * width && image.height === 2 * height) return halveArea(image, out);
  const xs = linearTaps(image.width, width, out.x, out.width, true);
  const ys = linearTaps(image.height, height, out.y, out.height, false);
  const src = image.data;
  const stride = image.width * 3;
  const horizontal = (row: number, into: Int32Array) => {
    const base = row * stride;
    for (let x = 0; x < out.width; x++) {
      const c0 = base + xs.index[2 * x]! * 3;
      const c1 = base + xs.index[2 * x + 1]! * 3;
      const a0 = xs.weight[2 * x]!;
      const a1 = xs.weight[2 * x + 1]!;
      for (let c = 0; c < 3; c++) into[x * 3 + c] = src[c0 + c]! * a0 + src[c1 + c]! * a1;
    }
  };
  const row0 = new Int32Array(out.width * 3);
  const row1 = new Int32Array(out.width * 3);
  const data = new Uint8Array(out.width * out.height * 3);
  for (let y = 0; y < out.height; y++) {
    horizontal(ys.index[2 * y]!, row0);
    horizontal(ys.index[2 * y + 1]!, row1);
    const b0 = ys.weight[2 * y]!;
    const b1 = ys.weight[2 * y + 1]!;
    const o = y * out.width * 3;
    for (let i = 0; i < row0.length; i++) {
      const value = ((((row0[i]! >> 4) * b0) >> 16) + (((row1[i]! >> 4) * b1) >> 16) + 2) >> 2;
      data[o + i] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
  return { data, width: out.width, height: out.height };
}

function nearestTaps(source: number, target: number, from: number, count: number): Int32Array {
  const index = new Int32Array(count);
  const ratio = cvScale(source, target);
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
