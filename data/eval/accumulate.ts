// lvis-api's accumulate for one category: join its cells' detections in image order, rank them by score
// (stable, so ties go to the lower image id, then input order), and turn the running TP/FP counts into the
// 101-point interpolated precision and the final recall (spec lvis-eval.md §2.6).
import { Outcome, type CategoryOutcomes } from './match.js';
import { AREA_RANGES, IOU_THRESHOLDS, PRECISION_EPSILON, RECALL_THRESHOLDS } from './params.js';

/** precision[T][R][K][A] and recall[T][K][A] in C order, -1 where undefined (as numpy's arrays). */
export interface PrecisionRecall {
  categoryCount: number;
  precision: Float64Array;
  recall: Float64Array;
}

/** Bytes of the two arrays for K categories: 8 * T * A * K * (R + 1). */
export function precisionRecallBytes(categoryCount: number): number {
  return 8 * IOU_THRESHOLDS.length * AREA_RANGES.length * categoryCount * (RECALL_THRESHOLDS.length + 1);
}

export function emptyPrecisionRecall(
  categoryCount: number,
  allocate: (bytes: number) => ArrayBufferLike = (bytes) => new ArrayBuffer(bytes),
): PrecisionRecall {
  const T = IOU_THRESHOLDS.length;
  const R = RECALL_THRESHOLDS.length;
  const A = AREA_RANGES.length;
  return {
    categoryCount,
    precision: new Float64Array(allocate(8 * T * R * categoryCount * A)).fill(-1),
    recall: new Float64Array(allocate(8 * T * categoryCount * A)).fill(-1),
  };
}

/** First index with rc[i] >= target among the first n (numpy.searchsorted, side="left"); rc is non-decreasing. */
function searchLeft(rc: Float64Array, n: number, target: number): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rc[middle]! < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Reused running recall and precision buffers (one pair per thread). */
export class AccumulateScratch {
  rc = new Float64Array(1024);
  pr = new Float64Array(1024);

  reserve(n: number): void {
    if (this.rc.length < n) {
      this.rc = new Float64Array(2 * n);
      this.pr = new Float64Array(2 * n);
    }
  }
}

/** Fills category `k`'s entries; `ranking` is the detections' positions in descending-score (stable) order. */
export function accumulateCategory(
  k: number,
  outcomes: CategoryOutcomes,
  ranking: Int32Array,
  into: PrecisionRecall,
  scratch: AccumulateScratch,
): void {
  const K = into.categoryCount;
  const A = AREA_RANGES.length;
  const T = IOU_THRESHOLDS.length;
  const R = RECALL_THRESHOLDS.length;
  const n = outcomes.count;
  scratch.reserve(n);
  const { rc, pr } = scratch;
  for (let a = 0; a < A; a++) {
    const groundTruth = outcomes.groundTruthCount[a]!;
    if (groundTruth === 0) continue; // no usable ground truth: -1, left out of every mean
    for (let t = 0; t < T; t++) {
      const codes = outcomes.outcomes;
      const base = (a * T + t) * n;
      let tp = 0;
      let fp = 0;
      for (let i = 0; i < n; i++) {
        const outcome = codes[base + ranking[i]!];
        if (outcome === Outcome.truePositive) tp += 1;
        else if (outcome === Outcome.falsePositive) fp += 1;
        rc[i] = tp / groundTruth;
        pr[i] = tp / (fp + tp + PRECISION_EPSILON);
      }
      into.recall[(t * K + k) * A + a] = n > 0 ? rc[n - 1]! : 0;
      for (let i = n - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
      for (let r = 0; r < R; r++) {
        const i = searchLeft(rc, n, RECALL_THRESHOLDS[r]!);
        into.precision[((t * R + r) * K + k) * A + a] = i < n ? pr[i]! : 0;
      }
    }
  }
}
