// Greedy NMS with mmcv 1.2.7's CUDA semantics, the ones the reference trains with (spec: mmdet 2.8 on
// mmcv 1.2.7; RPN NMS at 0.7 per level, test-time per-class NMS at 0.5):
//   - candidates in descending score order (ties: lower index first; torch's sort leaves ties unspecified);
//   - IoU without the +1 offset (offset = 0), in float32, without mmdet's eps: zero-area pairs give 0/0 =
//     NaN, which suppresses nothing;
//   - a box is dropped when its IoU with a kept box is strictly greater than the threshold.
// Why not tf.image.nonMaxSuppression: tfjs 4.22 (tfjs-core non_max_suppression_impl.js) drops at
// IoU >= threshold, computes IoU in float64, and the backends bring their own kernels. mmcv's CPU kernel also
// uses >=, but training runs the CUDA one. Exact IoU ties with the threshold are rare; the choice changes only
// those. Proposals are selected in JS anyway (the boxes are read back once), so this runs the same on every
// backend.
import { assertOptionInRange, BoxShapeError, boxCount } from './errors.js';

const f32 = Math.fround;

export interface NmsOptions {
  /** Stop after this many boxes are kept. @default Infinity */
  maxKept?: number;
}

/** Indices of `scores` in descending score order, ties by ascending index. */
export function descendingOrder(scores: Float32Array): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
}

/**
 * IoU of boxes a and b of flat xyxy `boxes` as the NMS kernel computes it (offset 0, float32, no eps: a
 * zero-area pair gives NaN, which suppresses nothing); 0 when they do not overlap in x.
 */
export function nmsIou(boxes: Float32Array, a: number, b: number): number {
  const x1 = boxes[4 * a] ?? 0;
  const y1 = boxes[4 * a + 1] ?? 0;
  const x2 = boxes[4 * a + 2] ?? 0;
  const y2 = boxes[4 * a + 3] ?? 0;
  const w = Math.max(f32(Math.min(x2, boxes[4 * b + 2] ?? 0) - Math.max(x1, boxes[4 * b] ?? 0)), 0);
  if (w === 0) return 0;
  const h = Math.max(f32(Math.min(y2, boxes[4 * b + 3] ?? 0) - Math.max(y1, boxes[4 * b + 1] ?? 0)), 0);
  const inter = f32(w * h);
  const area = f32(f32(x2 - x1) * f32(y2 - y1));
  const otherArea = f32(
    f32((boxes[4 * b + 2] ?? 0) - (boxes[4 * b] ?? 0)) *
      f32((boxes[4 * b + 3] ?? 0) - (boxes[4 * b + 1] ?? 0)),
  );
  return f32(inter / f32(f32(area + otherArea) - inter));
}

/** Kept indices of `boxes` (flat xyxy) after NMS, in descending score order. */
export function nms(
  boxes: Float32Array,
  scores: Float32Array,
  iouThreshold: number,
  options: NmsOptions = {},
): Int32Array {
  const count = boxCount(boxes, 'boxes');
  if (scores.length !== count) throw new BoxShapeError('scores', [scores.length], `[${count}] (one per box)`);
  assertOptionInRange('iouThreshold', iouThreshold, 0, 1);
  const maxKept = options.maxKept ?? Number.POSITIVE_INFINITY;
  const threshold = f32(iouThreshold);
  const order = descendingOrder(scores);
  const suppressed = new Uint8Array(count);
  const kept: number[] = [];
  for (let r = 0; r < count && kept.length < maxKept; r++) {
    const i = order[r] ?? 0;
    if (suppressed[i] === 1) continue;
    kept.push(i);
    for (let s = r + 1; s < count; s++) {
      const j = order[s] ?? 0;
      if (suppressed[j] === 1) continue;
      const iou = nmsIou(boxes, i, j);
      if (iou > threshold) suppressed[j] = 1;
    }
  }
  return Int32Array.from(kept);
}

/**
 * NMS within each group (class or FPN level) independently, as mmcv's `batched_nms`; the kept indices of all
 * groups come back merged in descending score order (ties by index).
 */
export function batchedNms(
  boxes: Float32Array,
  scores: Float32Array,
  groups: Int32Array,
  iouThreshold: number,
): Int32Array {
  const count = boxCount(boxes, 'boxes');
  if (groups.length !== count) throw new BoxShapeError('groups', [groups.length], `[${count}] (one per box)`);
  if (scores.length !== count) throw new BoxShapeError('scores', [scores.length], `[${count}] (one per box)`);
  const members = new Map<number, number[]>();
  groups.forEach((group, i) => {
    const list = members.get(group);
    if (list === undefined) members.set(group, [i]);
    else list.push(i);
  });
  const kept: number[] = [];
  for (const indices of members.values()) {
    const ids = Int32Array.from(indices);
    const groupBoxes = new Float32Array(4 * ids.length);
    ids.forEach((id, k) => groupBoxes.set(boxes.subarray(4 * id, 4 * id + 4), 4 * k));
    const groupScores = Float32Array.from(ids, (id) => scores[id] ?? 0);
    for (const k of nms(groupBoxes, groupScores, iouThreshold)) kept.push(ids[k] ?? 0);
  }
  return Int32Array.from(kept).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
}
