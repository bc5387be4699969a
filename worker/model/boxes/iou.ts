// Intersection over union of xyxy boxes, mmdet 2.8's `bbox_overlaps(mode='iou')` convention (spec: the
// reference is mmdet 2.8, which dropped the legacy "+1" pixel offset): width = x2 − x1, no offset, and the
// union is floored at eps = 1e-6 so empty boxes give 0 instead of NaN.
//
// The arithmetic is float32 step by step (Math.fround after each operation). For float32 operands one double
// operation rounded once to float32 equals the float32 operation, so these values are bit-identical to
// mmdet's float32 CPU tensors. That matters where the assigner compares IoUs for equality (low-quality
// matches with gt_max_assign_all) and against thresholds such as 0.7.
import { boxCount } from './errors.js';

const f32 = Math.fround;
const UNION_EPS = f32(1e-6);

/** IoU of box `i` of `a` and box `j` of `b` (flat xyxy arrays), in float32 arithmetic. */
export function iouAt(a: Float32Array, i: number, b: Float32Array, j: number): number {
  const ax1 = a[4 * i] ?? 0;
  const ay1 = a[4 * i + 1] ?? 0;
  const ax2 = a[4 * i + 2] ?? 0;
  const ay2 = a[4 * i + 3] ?? 0;
  const bx1 = b[4 * j] ?? 0;
  const by1 = b[4 * j + 1] ?? 0;
  const bx2 = b[4 * j + 2] ?? 0;
  const by2 = b[4 * j + 3] ?? 0;
  const areaA = f32(f32(ax2 - ax1) * f32(ay2 - ay1));
  const areaB = f32(f32(bx2 - bx1) * f32(by2 - by1));
  return iouFromParts(ax1, ay1, ax2, ay2, areaA, bx1, by1, bx2, by2, areaB);
}

/**
 * IoU from coordinates and precomputed float32 areas; the assigner's inner loop calls this with the areas
 * hoisted out. Arguments are float32 values.
 */
export function iouFromParts(
  ax1: number,
  ay1: number,
  ax2: number,
  ay2: number,
  areaA: number,
  bx1: number,
  by1: number,
  bx2: number,
  by2: number,
  areaB: number,
): number {
  const w = f32(Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const h = f32(Math.min(ay2, by2) - Math.max(ay1, by1));
  if (w <= 0 || h <= 0) return 0;
  const overlap = f32(w * h);
  const union = Math.max(f32(f32(areaA + areaB) - overlap), UNION_EPS);
  return f32(overlap / union);
}

/** Float32 areas (x2 − x1)·(y2 − y1) of a flat xyxy array. */
export function boxAreas(boxes: Float32Array): Float32Array {
  const count = boxCount(boxes, 'boxes');
  const areas = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const x1 = boxes[4 * i] ?? 0;
    const y1 = boxes[4 * i + 1] ?? 0;
    areas[i] = f32(f32((boxes[4 * i + 2] ?? 0) - x1) * f32((boxes[4 * i + 3] ?? 0) - y1));
  }
  return areas;
}

/** The [rows(a), rows(b)] IoU matrix, row-major, of two flat xyxy arrays. */
export function pairwiseIou(a: Float32Array, b: Float32Array): Float32Array {
  const rows = boxCount(a, 'a');
  const columns = boxCount(b, 'b');
  const areasA = boxAreas(a);
  const areasB = boxAreas(b);
  const out = new Float32Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    const ax1 = a[4 * i] ?? 0;
    const ay1 = a[4 * i + 1] ?? 0;
    const ax2 = a[4 * i + 2] ?? 0;
    const ay2 = a[4 * i + 3] ?? 0;
    const areaA = areasA[i] ?? 0;
    for (let j = 0; j < columns; j++) {
      out[i * columns + j] = iouFromParts(
        ax1,
        ay1,
        ax2,
        ay2,
        areaA,
        b[4 * j] ?? 0,
        b[4 * j + 1] ?? 0,
        b[4 * j + 2] ?? 0,
        b[4 * j + 3] ?? 0,
        areasB[j] ?? 0,
      );
    }
  }
  return out;
}
