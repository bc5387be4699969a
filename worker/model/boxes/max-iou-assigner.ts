// mmdet 2.8's `MaxIoUAssigner.assign_wrt_overlaps` (spec 1.2: RPN pos >= 0.7, neg < 0.3, min_pos 0.3; RoI
// head 0.5 / 0.5 / 0.5; both with match_low_quality and mmdet's default gt_max_assign_all = True,
// ignore_iof_thr = −1). Pure JS on Float32Arrays: no gradient flows through an assignment.
//
// Steps, as the reference orders them:
//   1. every box starts unassigned (−1);
//   2. boxes whose best IoU over all GTs is in [0, neg) become negative (0);
//   3. boxes whose best IoU is >= pos get that GT (index + 1; ties pick the lowest GT index, as torch's CPU
//      max does);
//   4. low-quality matches: for each GT in index order whose best IoU is >= min_pos, every box with exactly
//      that IoU (or only the first one, without gt_max_assign_all) is assigned to it, overriding 2-3; a later
//      GT overrides an earlier one on the same box.
// With no GT every box is negative; with no boxes the result is empty.
//
// Speed: LVIS has up to ~300 GTs and ~270k anchors at 800×1344. The IoU matrix is never stored: pass 1 walks
// GT × box once for the per-box and per-GT maxima; pass 2 recomputes (bit-identically) only the rows of GTs
// that qualify for step 4. Pairs without overlap have IoU 0, which changes nothing, so they are skipped: by
// an x test in a plain scan when there are few GTs, or through a grid index (box-grid.ts) when there are many
// GTs and boxes, where building the index costs less than scanning every box for every GT.
import { assertOptionInRange, BoxShapeError, boxCount } from './errors.js';
import { boxAreas, iouAt, iouFromParts } from './iou.js';
import { buildBoxGrid, forEachCandidate } from './box-grid.js';

const f32 = Math.fround;

/** The grid index pays off from about this many GTs and boxes (measured on the RPN anchors of an LVIS image). */
const GRID_MIN_GTS = 8;
const GRID_MIN_BOXES = 4096;

export interface MaxIouAssignerOptions {
  /** IoU at or above which a box is positive. */
  posIouThreshold: number;
  /** IoU below which a box is negative. */
  negIouThreshold: number;
  /** A GT's best box is a low-quality positive only if their IoU is at least this. */
  minPosIou: number;
  /** Step 4 on or off (mmdet `match_low_quality`). @default true */
  matchLowQuality?: boolean;
  /** Step 4 assigns every box tied at the GT's best IoU, not only the first. @default true */
  gtMaxAssignAll?: boolean;
}

export const RPN_ASSIGNER: Readonly<MaxIouAssignerOptions> = Object.freeze({
  posIouThreshold: 0.7,
  negIouThreshold: 0.3,
  minPosIou: 0.3,
});

export const ROI_ASSIGNER: Readonly<MaxIouAssignerOptions> = Object.freeze({
  posIouThreshold: 0.5,
  negIouThreshold: 0.5,
  minPosIou: 0.5,
});

/** What each box was assigned (mmdet `AssignResult`). */
export interface Assignment {
  /** Per box: −1 ignored (neither), 0 negative, k + 1 positive for GT k. */
  gtIndex: Int32Array;
  /** Per box: its best IoU over the GTs (0 with no GT). */
  maxIou: Float32Array;
  /** Per box: the assigned GT's label for positives, −1 otherwise; only when labels were given. */
  labels?: Int32Array;
  /** How many GTs there were. */
  gtCount: number;
}

/** Assigns each box of `boxes` (flat xyxy) to one of `gtBoxes` (flat xyxy), to background, or to neither. */
export function assignMaxIou(
  boxes: Float32Array,
  gtBoxes: Float32Array,
  options: MaxIouAssignerOptions,
  gtLabels?: Int32Array,
): Assignment {
  const { posIouThreshold, negIouThreshold, minPosIou } = options;
  const matchLowQuality = options.matchLowQuality ?? true;
  const gtMaxAssignAll = options.gtMaxAssignAll ?? true;
  assertOptionInRange('posIouThreshold', posIouThreshold, 0, 1);
  assertOptionInRange('negIouThreshold', negIouThreshold, 0, 1);
  assertOptionInRange('minPosIou', minPosIou, 0, 1);
  const count = boxCount(boxes, 'boxes');
  const gtCount = boxCount(gtBoxes, 'gtBoxes');
  if (gtLabels !== undefined && gtLabels.length !== gtCount) {
    throw new BoxShapeError('gtLabels', [gtLabels.length], `[${gtCount}] (one label per GT box)`);
  }
  const gtIndex = new Int32Array(count).fill(-1);
  const maxIou = new Float32Array(count);
  const argmax = new Int32Array(count);
  const result: Assignment = { gtIndex, maxIou, gtCount };
  if (gtLabels !== undefined) result.labels = new Int32Array(count).fill(-1);
  if (count === 0) return result;
  if (gtCount === 0) {
    gtIndex.fill(0);
    return result;
  }

  const areas = boxAreas(boxes);
  const gtAreas = boxAreas(gtBoxes);
  const gtMax = new Float32Array(gtCount);
  const gtFirstArgmax = new Int32Array(gtCount);
  // Thresholds are compared in float32, as torch compares a float32 tensor with a Python float.
  const pos = f32(posIouThreshold);
  const neg = f32(negIouThreshold);
  const minPos = f32(minPosIou);

  const grid = gtCount >= GRID_MIN_GTS && count >= GRID_MIN_BOXES ? buildBoxGrid(boxes) : undefined;
  /** Calls `visit` for every box with a positive IoU with GT `g`. */
  const row = (g: number, visit: (box: number, iou: number) => void): void => {
    const gx1 = gtBoxes[4 * g] ?? 0;
    const gy1 = gtBoxes[4 * g + 1] ?? 0;
    const gx2 = gtBoxes[4 * g + 2] ?? 0;
    const gy2 = gtBoxes[4 * g + 3] ?? 0;
    const gArea = gtAreas[g] ?? 0;
    const check = (i: number): void => {
      const x1 = boxes[4 * i] ?? 0;
      const x2 = boxes[4 * i + 2] ?? 0;
      if (x1 >= gx2 || x2 <= gx1) return;
      const iou = iouFromParts(
        gx1,
        gy1,
        gx2,
        gy2,
        gArea,
        x1,
        boxes[4 * i + 1] ?? 0,
        x2,
        boxes[4 * i + 3] ?? 0,
        areas[i] ?? 0,
      );
      if (iou > 0) visit(i, iou);
    };
    if (grid !== undefined) forEachCandidate(grid, gx1, gy1, gx2, gy2, check);
    else for (let i = 0; i < count; i++) check(i);
  };

  for (let g = 0; g < gtCount; g++) {
    let best = 0;
    let bestBox = 0;
    row(g, (i, iou) => {
      if (iou > (maxIou[i] ?? 0)) {
        maxIou[i] = iou;
        argmax[i] = g;
      }
      // The grid visits boxes in no particular order: ties go to the lowest index, as torch's argmax.
      if (iou > best || (iou === best && i < bestBox)) {
        best = iou;
        bestBox = i;
      }
    });
    gtMax[g] = best;
    gtFirstArgmax[g] = bestBox;
  }

  for (let i = 0; i < count; i++) {
    const iou = maxIou[i] ?? 0;
    if (iou < neg) gtIndex[i] = 0;
    if (iou >= pos) gtIndex[i] = (argmax[i] ?? 0) + 1;
  }

  if (matchLowQuality) {
    for (let g = 0; g < gtCount; g++) {
      const best = gtMax[g] ?? 0;
      if (best < minPos) continue;
      if (!gtMaxAssignAll) {
        gtIndex[gtFirstArgmax[g] ?? 0] = g + 1;
      } else if (best === 0) {
        // min_pos_iou = 0 and this GT overlaps nothing: every box ties at IoU 0 with it, and mmdet assigns
        // them all. Only reachable with a zero threshold; kept so the semantics match everywhere.
        for (let i = 0; i < count; i++) if (iouAt(gtBoxes, g, boxes, i) === 0) gtIndex[i] = g + 1;
      } else {
        row(g, (i, iou) => {
          if (iou === best) gtIndex[i] = g + 1;
        });
      }
    }
  }

  if (result.labels !== undefined && gtLabels !== undefined) {
    for (let i = 0; i < count; i++) {
      const k = gtIndex[i] ?? 0;
      if (k > 0) result.labels[i] = gtLabels[k - 1] ?? -1;
    }
  }
  return result;
}
