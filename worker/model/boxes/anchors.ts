// Anchors as mmdet 2.8's `AnchorGenerator` makes them (spec 1.2, RPN head): per level a set of base anchors
// around the origin, shifted over the feature grid.
//
// - base_size of a level is its stride (4, 8, 16, 32, 64); with scale 8 the anchors are 32..512 px square
//   equivalents (the spec's "base sizes 32-512").
// - h_ratio = √ratio, w_ratio = 1 / h_ratio; w = base·w_ratio·scale, h = base·h_ratio·scale, ratio-major
//   (`scale_major=True` orders ratios outermost, scales within).
// - centre = center_offset · base_size (0 in the spec), corners centre ± w/2, ± h/2: no rounding (the
//   rounding belongs to `LegacyAnchorGenerator`, mmdet 1.x).
// - Shifts (x·stride, y·stride); the flat order is (y, x, anchor), the order an NHWC head output reshapes to.
// All values are float32, as mmdet computes them on float32 tensors.
import { assertOptionInRange, BoxOptionError } from './errors.js';

const f32 = Math.fround;

export interface AnchorOptions {
  /** Feature stride of each level, finest first. @default [4, 8, 16, 32, 64] */
  strides?: number[];
  /** Anchor scales, in units of the level's base size. @default [8] */
  scales?: number[];
  /** Height / width ratios. @default [0.5, 1, 2] */
  ratios?: number[];
  /** Anchor centre offset in units of the base size (mmdet `center_offset`). @default 0 */
  centerOffset?: number;
}

export const RPN_ANCHOR_DEFAULTS: Readonly<Required<AnchorOptions>> = Object.freeze({
  strides: [4, 8, 16, 32, 64],
  scales: [8],
  ratios: [0.5, 1, 2],
  centerOffset: 0,
});

/** A level's feature map size, in cells. */
export interface FeatureSize {
  height: number;
  width: number;
}

/** Anchors per location: ratios × scales. */
export function anchorsPerLocation(options: AnchorOptions = {}): number {
  const { scales, ratios } = { ...RPN_ANCHOR_DEFAULTS, ...options };
  return scales.length * ratios.length;
}

/** The base anchors of one level, flat xyxy, ratio-major. */
export function baseAnchors(baseSize: number, options: AnchorOptions = {}): Float32Array {
  const { scales, ratios, centerOffset } = { ...RPN_ANCHOR_DEFAULTS, ...options };
  assertOptionInRange('centerOffset', centerOffset, 0, 1);
  const center = f32(centerOffset * baseSize);
  const out = new Float32Array(4 * scales.length * ratios.length);
  let k = 0;
  for (const ratio of ratios) {
    if (!(ratio > 0)) throw new BoxOptionError('ratios', ratio, 'every ratio must be positive');
    const hRatio = f32(Math.sqrt(f32(ratio)));
    const wRatio = f32(1 / hRatio);
    for (const scale of scales) {
      const w = f32(f32(baseSize * wRatio) * scale);
      const h = f32(f32(baseSize * hRatio) * scale);
      out[k++] = f32(center - f32(0.5 * w));
      out[k++] = f32(center - f32(0.5 * h));
      out[k++] = f32(center + f32(0.5 * w));
      out[k++] = f32(center + f32(0.5 * h));
    }
  }
  return out;
}

/** All anchors of one level for a feature map of `size`, flat xyxy in (y, x, anchor) order. */
export function gridAnchors(base: Float32Array, size: FeatureSize, stride: number): Float32Array {
  const perLocation = base.length / 4;
  const out = new Float32Array(size.height * size.width * base.length);
  let k = 0;
  for (let y = 0; y < size.height; y++) {
    const shiftY = y * stride;
    for (let x = 0; x < size.width; x++) {
      const shiftX = x * stride;
      for (let a = 0; a < perLocation; a++) {
        out[k++] = f32((base[4 * a] ?? 0) + shiftX);
        out[k++] = f32((base[4 * a + 1] ?? 0) + shiftY);
        out[k++] = f32((base[4 * a + 2] ?? 0) + shiftX);
        out[k++] = f32((base[4 * a + 3] ?? 0) + shiftY);
      }
    }
  }
  return out;
}

/**
 * The anchors of every level for feature maps of the given sizes (one per stride, finest first). All anchors
 * are used: the padded image covers every feature cell and the configs set allowed_border = −1, so mmdet's
 * valid and inside flags are all true.
 */
export function multiLevelAnchors(
  sizes: readonly FeatureSize[],
  options: AnchorOptions = {},
): Float32Array[] {
  const { strides } = { ...RPN_ANCHOR_DEFAULTS, ...options };
  if (sizes.length !== strides.length) {
    throw new BoxOptionError('strides', strides, `need one stride per feature map (${sizes.length} maps)`);
  }
  return sizes.map((size, level) => {
    const stride = strides[level] ?? 0;
    return gridAnchors(baseAnchors(stride, options), size, stride);
  });
}

/** Concatenates per-level flat arrays (anchors, or any per-anchor rows) into one, finest level first. */
export function concatLevels(levels: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(levels.reduce((total, level) => total + level.length, 0));
  let offset = 0;
  for (const level of levels) {
    out.set(level, offset);
    offset += level.length;
  }
  return out;
}
