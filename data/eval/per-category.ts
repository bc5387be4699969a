// Per-category box AP from the evaluator's precision array, as one would take it from lvis-api's
// `eval["precision"]`: for category k,
//
//   AP_k = np.mean(p[p > -1])  with  p = precision[:, :, k, 0]   (all IoU thresholds, all 101 recall points,
//                                                                  area "all"; -1 when no entry is valid)
//
// the very slice and summation lvis-api's summarize() uses for AP, restricted to one category (spec
// lvis-eval.md §2.7). A category with ground truth has all 1010 entries valid, so a frequency group's mean of
// these is APr/APc/APf up to the last bits of the summation order. Pure.
import type { LvisEvaluation } from './evaluate.js';
import { numpyMean } from './numpy-sum.js';
import { AREA_RANGES, IOU_THRESHOLDS, RECALL_THRESHOLDS } from './params.js';

/** The area-range index of "all" in the precision array. */
const areaAll = AREA_RANGES.findIndex((range) => range.label === 'all');

/** AP of category index `k` (the k-th smallest category id): a float64 in [0, 1], or -1 when undefined. */
export function categoryAp(arrays: LvisEvaluation['arrays'], k: number): number {
  const K = arrays.categoryCount;
  if (!Number.isInteger(k) || k < 0 || k >= K)
    throw new RangeError(`category index ${k} is not in [0, ${K})`);
  const A = AREA_RANGES.length;
  const R = RECALL_THRESHOLDS.length;
  const valid = new Float64Array(IOU_THRESHOLDS.length * R);
  let count = 0;
  // C order of p[:, :, k, 0]: threshold outer, recall point inner, as numpy's boolean selection flattens it.
  for (let t = 0; t < IOU_THRESHOLDS.length; t++) {
    for (let r = 0; r < R; r++) {
      const value = arrays.precision[((t * R + r) * K + k) * A + areaAll]!;
      if (value > -1) valid[count++] = value;
    }
  }
  return count === 0 ? -1 : numpyMean(valid.subarray(0, count));
}

export interface CategoryAp {
  /** The LVIS category id. */
  id: number;
  /** Box AP over IoU 0.5:0.95, area all; -1 when the category has no usable ground truth. */
  ap: number;
}

/** AP per category, in the evaluation's category order (ascending id). */
export function perCategoryAp(evaluation: Pick<LvisEvaluation, 'arrays' | 'categoryIds'>): CategoryAp[] {
  return evaluation.categoryIds.map((id, k) => ({ id, ap: categoryAp(evaluation.arrays, k) }));
}
