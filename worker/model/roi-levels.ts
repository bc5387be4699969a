// Which FPN level each RoI is pooled from: mmdet's SingleRoIExtractor.map_roi_levels, as the BACL configs use it
// (bacl-method.md §1.2 "RoI extractor"): level = floor(log2(sqrt(w*h) / finestScale + 1e-6)), clamped to
// [0, numLevels - 1], with w = x2 - x1 and h = y2 - y1 in input-image pixels (no +1). With finestScale 56 and
// P2-P5 that is P2 below 112 px, P3 in [112, 224), P4 in [224, 448) and P5 from 448 px.

export interface RoiLevelOptions {
  /** Number of pooled levels (P2-P5). @default 4 */
  numLevels?: number;
  /** RoIs with sqrt(area) below 2 * finestScale go to the first level. @default 56 */
  finestScale?: number;
}

/** The level of one box from its x1, y1, x2, y2 in input-image pixels. */
export function roiLevel(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  options: RoiLevelOptions = {},
): number {
  const { numLevels = 4, finestScale = 56 } = options;
  const scale = Math.sqrt((x2 - x1) * (y2 - y1));
  // Degenerate boxes give sqrt(0) = 0 (log2(1e-6) < 0, so level 0) or NaN for inverted ones (also level 0).
  const level = Math.floor(Math.log2(scale / finestScale + 1e-6));
  if (!(level > 0)) return 0;
  return Math.min(level, numLevels - 1);
}

/** The level of every box; `boxes` holds x1, y1, x2, y2 per RoI. */
export function roiLevels(boxes: ArrayLike<number>, options: RoiLevelOptions = {}): Int32Array {
  const levels = new Int32Array(Math.floor(boxes.length / 4));
  for (let i = 0; i < levels.length; i++) {
    const at = 4 * i;
    levels[i] = roiLevel(boxes[at] ?? 0, boxes[at + 1] ?? 0, boxes[at + 2] ?? 0, boxes[at + 3] ?? 0, options);
  }
  return levels;
}
