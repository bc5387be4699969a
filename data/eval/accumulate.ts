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

/** Reused buffers, grown on demand (one set per thread): per true positive, its position and the fps before it. */
export class AccumulateScratch {
  tpPosition = new Int32Array(1024);
  fpBefore = new Int32Array(1024);
  bestFrom = new Float64Array(1024);

  reserve(n: number): void {
    if (this.tpPosition.length < n + 2) {
      this.tpPosition = new Int32Array(2 * n + 2);
      this.fpBefore = new Int32Array(2 * n + 2);
      this.bestFrom = new Float64Array(2 * n + 2);
    }
  }
}

/**
 * Fills category `k`'s entries; `ranking` is the detections' positions in descending-score (stable) order.
 *
 * lvis-api computes, over the ranked detections, rc[i] = tp_i / G and pr[i] = tp_i / (fp_i + tp_i + eps),
 * makes pr non-increasing from the right (pr[i] = max over j >= i of pr[j]), and samples it at the first i
 * with rc[i] >= each recall threshold. The same doubles come from the true positives alone:
 * - rc only changes at a true positive, so the first i with rc[i] >= r is the position of the m-th true
 *   positive, m the smallest count with m / G >= r (the same division), or 0 when r <= 0;
 * - within a run of equal tp, fp only grows, so pr is highest at the run's start (a true positive, or i = 0):
 *   the maximum over j >= i is the largest pr at the true positives from the m-th on (and pr[0] when i = 0);
 * - recall is rc[n - 1] = (number of true positives) / G.
 * Each value is one of lvis-api's own pr or rc doubles, computed with its operation order.
 */
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
  const { tpPosition, fpBefore, bestFrom } = scratch;
  const codes = outcomes.outcomes;
  for (let a = 0; a < A; a++) {
    const groundTruth = outcomes.groundTruthCount[a]!;
    if (groundTruth === 0) continue; // no usable ground truth: -1, left out of every mean
    for (let t = 0; t < T; t++) {
      const base = (a * T + t) * n;
      let tp = 0;
      let fp = 0;
      let firstTp = 0;
      let firstFp = 0;
      for (let i = 0; i < n; i++) {
        const outcome = codes[base + ranking[i]!];
        if (outcome === Outcome.truePositive) {
          tp += 1;
          tpPosition[tp] = i;
          fpBefore[tp] = fp;
        } else if (outcome === Outcome.falsePositive) fp += 1;
        if (i === 0) {
          firstTp = tp;
          firstFp = fp;
        }
      }
      into.recall[(t * K + k) * A + a] = n > 0 ? tp / groundTruth : 0;
      // bestFrom[m]: the largest pr at the m-th true positive or later (-Infinity past the last).
      bestFrom[tp + 1] = -Infinity;
      for (let m = tp; m >= 1; m--) {
        const precision = m / (fpBefore[m]! + m + PRECISION_EPSILON);
        bestFrom[m] = precision > bestFrom[m + 1]! ? precision : bestFrom[m + 1]!;
      }
      const atZero = n > 0 ? firstTp / (firstFp + firstTp + PRECISION_EPSILON) : 0;
      let m = 0;
      for (let r = 0; r < R; r++) {
        const target = RECALL_THRESHOLDS[r]!;
        while (m <= tp && m / groundTruth < target) m += 1;
        let value: number;
        if (n === 0 || m > tp)
          value = 0; // no detection reaches this recall
        else if (m === 0) value = atZero > bestFrom[1]! ? atZero : bestFrom[1]!;
        else value = bestFrom[m]!;
        into.precision[((t * R + r) * K + k) * A + a] = value;
      }
    }
  }
}
