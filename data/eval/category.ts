// One category's whole evaluation, match then accumulate, writing only category k's entries of the
// precision/recall arrays: the unit the parallel evaluator hands out, so the arrays (and every metric summed
// from them) are the same whichever thread takes which category.
import { AccumulateScratch, accumulateCategory, type PrecisionRecall } from './accumulate.js';
import { matchCell, MatchScratch, type CategoryOutcomes } from './match.js';
import { AREA_RANGES, IOU_THRESHOLDS } from './params.js';
import type { PreparedEvaluation } from './prepare.js';

/** A thread's reused buffers. */
export class CategoryScratch {
  readonly match = new MatchScratch();
  readonly accumulate = new AccumulateScratch();
  outcomes = new Uint8Array(1 << 16);
  ranking = new Int32Array(1 << 12);
  merged = new Int32Array(1 << 12);

  reserve(n: number): void {
    const codes = n * AREA_RANGES.length * IOU_THRESHOLDS.length;
    if (this.outcomes.length < codes) this.outcomes = new Uint8Array(2 * codes);
    if (this.ranking.length < n) {
      this.ranking = new Int32Array(2 * n);
      this.merged = new Int32Array(2 * n);
    }
  }
}

/**
 * Positions 0..n-1 in descending-score order, ties in position order (a stable sort of the joined scores).
 * Each cell's detections are sorted already, so this merges the cells' runs pairwise, taking the left run's
 * element on ties: a stable merge sort over those runs.
 */
function rankByScore(
  prepared: PreparedEvaluation,
  firstCell: number,
  endCell: number,
  scratch: CategoryScratch,
): Int32Array {
  const d0 = prepared.cellDt[firstCell]!;
  const n = prepared.cellDt[endCell]! - d0;
  const score = prepared.dtScore;
  let from = scratch.ranking;
  let to = scratch.merged;
  for (let i = 0; i < n; i++) from[i] = i;
  // Run boundaries (positions), non-empty runs only.
  let bounds: number[] = [0];
  for (let c = firstCell + 1; c <= endCell; c++) {
    const end = prepared.cellDt[c]! - d0;
    if (end > bounds.at(-1)!) bounds.push(end);
  }
  while (bounds.length > 2) {
    const merged: number[] = [0];
    for (let r = 0; r + 1 < bounds.length; r += 2) {
      const left = bounds[r]!;
      const middle = bounds[r + 1]!;
      const right = r + 2 < bounds.length ? bounds[r + 2]! : middle;
      let i = left;
      let j = middle;
      let o = left;
      while (i < middle && j < right) {
        // Stable: the right element goes first only when strictly higher.
        if (score[d0 + from[j]!]! > score[d0 + from[i]!]!) to[o++] = from[j++]!;
        else to[o++] = from[i++]!;
      }
      while (i < middle) to[o++] = from[i++]!;
      while (j < right) to[o++] = from[j++]!;
      merged.push(right);
    }
    bounds = merged;
    [from, to] = [to, from];
  }
  return from.subarray(0, n);
}

/** Matches and accumulates category `k` into `arrays` (entries of other categories untouched). */
export function evaluateCategory(
  prepared: PreparedEvaluation,
  k: number,
  arrays: PrecisionRecall,
  scratch: CategoryScratch,
): void {
  const firstCell = prepared.cellStart[k]!;
  const endCell = prepared.cellStart[k + 1]!;
  if (firstCell === endCell) return;
  const d0 = prepared.cellDt[firstCell]!;
  const count = prepared.cellDt[endCell]! - d0;
  scratch.reserve(count);
  const outcomes: CategoryOutcomes = {
    count,
    outcomes: scratch.outcomes,
    groundTruthCount: AREA_RANGES.map(() => 0),
  };
  for (let c = firstCell; c < endCell; c++) {
    matchCell(prepared, c, prepared.cellDt[c]! - d0, outcomes, scratch.match);
  }
  accumulateCategory(
    k,
    outcomes,
    rankByScore(prepared, firstCell, endCell, scratch),
    arrays,
    scratch.accumulate,
  );
}
