// lvis-api's evaluate_img for every area range of one (image, category) cell: greedy matching per IoU
// threshold, then the ignore rules (spec lvis-eval.md §2.4). Each detection gets one outcome per
// (area range, threshold): a true positive, a false positive, or ignored.
import { bboxIou } from './iou.js';
import { AREA_RANGES, IOU_THRESHOLDS, MAX_MATCH_START } from './params.js';
import type { Cell, GroundTruthColumns } from './prepare.js';
import type { DetectionColumns } from './detections.js';

export const Outcome = { falsePositive: 0, truePositive: 1, ignored: 2 } as const;

/** Outcomes of one category's detections, `[area][threshold * count + position]`, and its gt counts. */
export interface CategoryOutcomes {
  /** Detections of the category, concatenated over its cells in image order. */
  count: number;
  outcomes: Uint8Array[];
  /** Non-ignored ground truth per area range. */
  groundTruthCount: number[];
}

/** IoU of each detection (score order) with each gt (annotation order), row-major. */
function iouMatrix(cell: Cell, gts: GroundTruthColumns, dts: DetectionColumns): Float64Array {
  const matrix = new Float64Array(cell.dts.length * cell.gts.length);
  cell.dts.forEach((d, row) => {
    cell.gts.forEach((g, column) => {
      matrix[row * cell.gts.length + column] = bboxIou(dts.boxes, d * 4, gts.boxes, g * 4);
    });
  });
  return matrix;
}

/**
 * Writes the outcomes of `cell`'s detections at `offset` into `into`, for every area range and threshold, and
 * adds its non-ignored ground truth to `into.groundTruthCount`.
 */
export function matchCell(
  cell: Cell,
  gts: GroundTruthColumns,
  dts: DetectionColumns,
  offset: number,
  into: CategoryOutcomes,
): void {
  const gtCount = cell.gts.length;
  const dtCount = cell.dts.length;
  const ious = iouMatrix(cell, gts, dts);
  const taken = new Uint8Array(gtCount);
  AREA_RANGES.forEach((range, a) => {
    const ignoredGt = cell.gts.map(
      (g) => gts.ignore[g] === 1 || gts.area[g]! < range.min || gts.area[g]! > range.max,
    );
    // Stable: regular ground truth first, ignored last, each in annotation order.
    const order = [...cell.gts.keys()].sort((x, y) => Number(ignoredGt[x]) - Number(ignoredGt[y]) || x - y);
    into.groundTruthCount[a]! += ignoredGt.filter((ignored) => !ignored).length;
    // An unmatched detection is ignored outside the area range or on a not-exhaustive category.
    const forgiven = cell.dts.map((d) => {
      const area = dts.boxes[d * 4 + 2]! * dts.boxes[d * 4 + 3]!;
      return area < range.min || area > range.max || cell.notExhaustive;
    });
    const outcomes = into.outcomes[a]!;
    IOU_THRESHOLDS.forEach((threshold, t) => {
      taken.fill(0);
      const base = t * into.count + offset;
      for (let row = 0; row < dtCount; row++) {
        let best = Math.min(threshold, MAX_MATCH_START);
        let match = -1;
        for (const column of order) {
          if (taken[column]) continue;
          // Once matched to a regular gt, never trade it for an ignored one (ignored ones come last).
          if (match > -1 && !ignoredGt[match] && ignoredGt[column]) break;
          const iou = ious[row * gtCount + column]!;
          if (iou < best) continue;
          best = iou; // >=: of equal IoUs, the later gt wins, as in lvis-api
          match = column;
        }
        let outcome: number;
        if (match === -1) outcome = forgiven[row] ? Outcome.ignored : Outcome.falsePositive;
        else {
          taken[match] = 1;
          // lvis-api marks a match with the gt's id, and 0 means "unmatched": a gt with id 0 is used up, yet
          // its detection counts as unmatched (spec §2.4 step 5). Copied, so the numbers stay identical.
          const marker = gts.id[cell.gts[match]!]!;
          if (ignoredGt[match]) outcome = Outcome.ignored;
          else if (marker !== 0) outcome = Outcome.truePositive;
          else outcome = forgiven[row] ? Outcome.ignored : Outcome.falsePositive;
        }
        outcomes[base + row] = outcome;
      }
    });
  });
}
