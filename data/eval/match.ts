// lvis-api's evaluate_img for every area range of one (image, category) cell: greedy matching per IoU
// threshold, then the ignore rules (spec lvis-eval.md §2.4). Each detection gets one outcome per
// (area range, threshold): a true positive, a false positive, or ignored.
import { bboxIou } from './iou.js';
import { AREA_RANGES, IOU_THRESHOLDS, MAX_MATCH_START } from './params.js';
import type { PreparedEvaluation } from './prepare.js';

export const Outcome = { falsePositive: 0, truePositive: 1, ignored: 2 } as const;

/** Outcomes of one category's detections, `outcomes[(area * T + threshold) * count + position]`, and its gt counts. */
export interface CategoryOutcomes {
  /** Detections of the category, concatenated over its cells in image order. */
  count: number;
  outcomes: Uint8Array;
  /** Non-ignored ground truth per area range. */
  groundTruthCount: number[];
}

/** Reused buffers, grown on demand (one set per thread). */
export class MatchScratch {
  ious = new Float64Array(256);
  taken = new Uint8Array(64);
  ignoredGt = new Uint8Array(64);
  order = new Int32Array(64);
  forgiven = new Uint8Array(256);

  reserve(dtCount: number, gtCount: number): void {
    if (this.ious.length < dtCount * gtCount) this.ious = new Float64Array(2 * dtCount * gtCount);
    if (this.taken.length < gtCount) {
      this.taken = new Uint8Array(2 * gtCount);
      this.ignoredGt = new Uint8Array(2 * gtCount);
      this.order = new Int32Array(2 * gtCount);
    }
    if (this.forgiven.length < dtCount) this.forgiven = new Uint8Array(2 * dtCount);
  }
}

/**
 * Writes the outcomes of cell `c`'s detections, at `offset` within their category, into `into`, for every area
 * range and threshold, and adds its non-ignored ground truth to `into.groundTruthCount`.
 */
export function matchCell(
  prepared: PreparedEvaluation,
  c: number,
  offset: number,
  into: CategoryOutcomes,
  scratch: MatchScratch,
): void {
  const { dtBoxes, gtBoxes, gtArea, gtIgnore, gtId } = prepared;
  const d0 = prepared.cellDt[c]!;
  const g0 = prepared.cellGt[c]!;
  const dtCount = prepared.cellDt[c + 1]! - d0;
  const gtCount = prepared.cellGt[c + 1]! - g0;
  const notExhaustive = prepared.cellNotExhaustive[c] === 1;
  scratch.reserve(dtCount, gtCount);
  const { ious, taken, ignoredGt, order, forgiven } = scratch;
  // IoU of each detection (score order) with each gt (annotation order), row-major.
  for (let row = 0; row < dtCount; row++) {
    for (let column = 0; column < gtCount; column++) {
      ious[row * gtCount + column] = bboxIou(dtBoxes, (d0 + row) * 4, gtBoxes, (g0 + column) * 4);
    }
  }
  const T = IOU_THRESHOLDS.length;
  for (let a = 0; a < AREA_RANGES.length; a++) {
    const range = AREA_RANGES[a]!;
    let regular = 0;
    for (let column = 0; column < gtCount; column++) {
      const area = gtArea[g0 + column]!;
      const ignored = gtIgnore[g0 + column] === 1 || area < range.min || area > range.max;
      ignoredGt[column] = ignored ? 1 : 0;
      if (!ignored) order[regular++] = column;
    }
    // Stable: regular ground truth first, ignored last, each in annotation order.
    let next = regular;
    for (let column = 0; column < gtCount; column++) if (ignoredGt[column]) order[next++] = column;
    into.groundTruthCount[a]! += regular;
    // An unmatched detection is ignored outside the area range or on a not-exhaustive category.
    for (let row = 0; row < dtCount; row++) {
      const at = (d0 + row) * 4;
      const area = dtBoxes[at + 2]! * dtBoxes[at + 3]!;
      forgiven[row] = area < range.min || area > range.max || notExhaustive ? 1 : 0;
    }
    if (gtCount === 0) {
      // Nothing to match (a category known to be absent): every detection is unmatched.
      for (let t = 0; t < T; t++) {
        const base = (a * T + t) * into.count + offset;
        for (let row = 0; row < dtCount; row++) {
          into.outcomes[base + row] = forgiven[row] ? Outcome.ignored : Outcome.falsePositive;
        }
      }
      continue;
    }
    for (let t = 0; t < T; t++) {
      const threshold = IOU_THRESHOLDS[t]!;
      taken.fill(0, 0, gtCount);
      const base = (a * T + t) * into.count + offset;
      for (let row = 0; row < dtCount; row++) {
        let best = Math.min(threshold, MAX_MATCH_START);
        let match = -1;
        for (let o = 0; o < gtCount; o++) {
          const column = order[o]!;
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
          const marker = gtId[g0 + match]!;
          if (ignoredGt[match]) outcome = Outcome.ignored;
          else if (marker !== 0) outcome = Outcome.truePositive;
          else outcome = forgiven[row] ? Outcome.ignored : Outcome.falsePositive;
        }
        into.outcomes[base + row] = outcome;
      }
    }
  }
}
