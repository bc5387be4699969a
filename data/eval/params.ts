// The evaluation parameters of lvis-api's `Params`, as the exact float64 values numpy produces: the port
// matches the official numbers bit for bit only if these are the same doubles (spec lvis-eval.md §2.1).

/** numpy.linspace(start, stop, num): `i * step + start`, and exactly `stop` last (not `start + i * (stop - start) / (num - 1)`). */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const values = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) values[i] = i * step + start;
  values[num - 1] = stop;
  return values;
}

/** 0.5, 0.55, ..., 0.95; index 8 is 0.8999999999999999, not 0.9. */
export const IOU_THRESHOLDS = numpyLinspace(0.5, 0.95, 10);
/** 0, 0.01, ..., 1 as `i * 0.01` (57 * 0.01 = 0.5700000000000001, which a recall of 57/100 does not reach). */
export const RECALL_THRESHOLDS = numpyLinspace(0, 1, 101);

export interface AreaRange {
  label: 'all' | 'small' | 'medium' | 'large';
  /** Inclusive bounds in square pixels: an area of exactly 1024 is both small and medium. */
  min: number;
  max: number;
}

export const AREA_RANGES: readonly AreaRange[] = [
  { label: 'all', min: 0, max: 1e10 },
  { label: 'small', min: 0, max: 32 ** 2 },
  { label: 'medium', min: 32 ** 2, max: 96 ** 2 },
  { label: 'large', min: 96 ** 2, max: 1e10 },
];

/** The per-image cap, across all categories, applied before anything else (spec §2.2). */
export const MAX_DETECTIONS_PER_IMAGE = 300;

/** numpy.spacing(1) = 2^-52, added to the precision denominator. */
export const PRECISION_EPSILON = Number.EPSILON;

/** lvis-api starts each match at min(threshold, 1 - 1e-10), so an IoU of exactly 1 always qualifies. */
export const MAX_MATCH_START = 1 - 1e-10;
