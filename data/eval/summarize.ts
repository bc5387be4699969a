// lvis-api's summarize: each metric is np.mean over the valid (> -1) entries of a slice of the precision or
// recall array, taken in C order, or -1 when none is valid (spec lvis-eval.md §2.7).
import type { LvisFrequency } from '../../common/index.js';
import type { PrecisionRecall } from './accumulate.js';
import { numpyMean } from './numpy-sum.js';
import { AREA_RANGES, IOU_THRESHOLDS, RECALL_THRESHOLDS } from './params.js';

/** The 13 numbers, under exactly the key names of lvis-api's get_results(), in its order. */
export interface LvisMetrics {
  AP: number;
  AP50: number;
  AP75: number;
  APs: number;
  APm: number;
  APl: number;
  APr: number;
  APc: number;
  APf: number;
  'AR@300': number;
  'ARs@300': number;
  'ARm@300': number;
  'ARl@300': number;
}

export const LVIS_METRIC_KEYS = [
  'AP',
  'AP50',
  'AP75',
  'APs',
  'APm',
  'APl',
  'APr',
  'APc',
  'APf',
  'AR@300',
  'ARs@300',
  'ARm@300',
  'ARl@300',
] as const satisfies ReadonlyArray<keyof LvisMetrics>;

/** Collects the valid (> -1) entries in order into a reused buffer, then takes numpy's mean of them. */
class ValidEntries {
  private values = new Float64Array(1024);
  private count = 0;

  add(value: number): void {
    if (!(value > -1)) return;
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }

  mean(): number {
    return this.count === 0 ? -1 : numpyMean(this.values.subarray(0, this.count));
  }
}

function averagePrecision(
  arrays: PrecisionRecall,
  thresholds: readonly number[],
  area: number,
  categories: readonly number[],
): number {
  const K = arrays.categoryCount;
  const A = AREA_RANGES.length;
  const R = RECALL_THRESHOLDS.length;
  const valid = new ValidEntries();
  for (const t of thresholds) {
    for (let r = 0; r < R; r++) {
      for (const k of categories) valid.add(arrays.precision[((t * R + r) * K + k) * A + area]!);
    }
  }
  return valid.mean();
}

function averageRecall(arrays: PrecisionRecall, area: number): number {
  const K = arrays.categoryCount;
  const A = AREA_RANGES.length;
  const valid = new ValidEntries();
  for (let t = 0; t < IOU_THRESHOLDS.length; t++) {
    for (let k = 0; k < K; k++) valid.add(arrays.recall[(t * K + k) * A + area]!);
  }
  return valid.mean();
}

/** The index of a threshold chosen by exact float equality, as lvis-api's np.where(iou_thr == iou_thrs). */
function thresholdIndices(value?: number): number[] {
  return [...IOU_THRESHOLDS.keys()].filter((t) => value === undefined || IOU_THRESHOLDS[t] === value);
}

export function summarize(
  arrays: PrecisionRecall,
  frequencyGroups: Record<LvisFrequency, number[]>,
): LvisMetrics {
  const allCategories = [...Array(arrays.categoryCount).keys()];
  const ap = (area: number, threshold?: number, categories = allCategories) =>
    averagePrecision(arrays, thresholdIndices(threshold), area, categories);
  return {
    AP: ap(0),
    AP50: ap(0, 0.5),
    AP75: ap(0, 0.75),
    APs: ap(1),
    APm: ap(2),
    APl: ap(3),
    APr: ap(0, undefined, frequencyGroups.r),
    APc: ap(0, undefined, frequencyGroups.c),
    APf: ap(0, undefined, frequencyGroups.f),
    'AR@300': averageRecall(arrays, 0),
    'ARs@300': averageRecall(arrays, 1),
    'ARm@300': averageRecall(arrays, 2),
    'ARl@300': averageRecall(arrays, 3),
  };
}
