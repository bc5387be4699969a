// The LVIS bbox evaluator: lvis-api's LVISEval(gt, results, "bbox").run() as pure functions (no I/O), giving
// the same doubles for every metric. Shared by `baclctl eval` and the worker's evaluate stage.
import type { LvisFrequency, LvisGroundTruth } from '../../common/index.js';
import { accumulateCategory, emptyPrecisionRecall, type PrecisionRecall } from './accumulate.js';
import type { DetectionInput } from './detections.js';
import { matchCell, type CategoryOutcomes } from './match.js';
import { AREA_RANGES, IOU_THRESHOLDS } from './params.js';
import { prepareEvaluation, type PrepareOptions, type PreparedEvaluation } from './prepare.js';
import { summarize, type LvisMetrics } from './summarize.js';

export type LvisEvaluateOptions = PrepareOptions;

export interface LvisEvaluation {
  metrics: LvisMetrics;
  /** Sorted category ids; index k of the arrays below. */
  categoryIds: number[];
  /** Category indices per declared frequency (lvis-api's freq_groups). */
  frequencyGroups: Record<LvisFrequency, number[]>;
  /** precision[T=10][R=101][K][A=4] and recall[T][K][A], C order, -1 where undefined. */
  arrays: PrecisionRecall;
}

/** Matches and accumulates one category into `arrays`. */
function evaluateCategory(prepared: PreparedEvaluation, k: number, arrays: PrecisionRecall): void {
  const cells = prepared.cellsByCategory[k]!;
  if (cells.length === 0) return;
  const { gts, dts } = prepared;
  const count = cells.reduce((sum, cell) => sum + cell.dts.length, 0);
  const outcomes: CategoryOutcomes = {
    count,
    outcomes: AREA_RANGES.map(() => new Uint8Array(count * IOU_THRESHOLDS.length)),
    groundTruthCount: AREA_RANGES.map(() => 0),
  };
  const scores = new Float64Array(count);
  let offset = 0;
  for (const cell of cells) {
    matchCell(cell, gts, dts, offset, outcomes);
    for (const d of cell.dts) scores[offset++] = dts.score[d]!;
  }
  // Stable descending sort of the joined scores: ties keep image order, then each image's own order.
  const ranking = Int32Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  accumulateCategory(k, outcomes, ranking, arrays);
}

/** Evaluates bbox `results` against `gt` exactly as the official lvis package does (see docs/adr/0006). */
export function evaluateLvis(
  gt: LvisGroundTruth,
  results: readonly DetectionInput[],
  options: LvisEvaluateOptions = {},
): LvisEvaluation {
  const prepared = prepareEvaluation(gt, results, options);
  const arrays = emptyPrecisionRecall(prepared.categoryIds.length);
  for (let k = 0; k < prepared.categoryIds.length; k++) evaluateCategory(prepared, k, arrays);
  return {
    metrics: summarize(arrays, prepared.frequencyGroups),
    categoryIds: prepared.categoryIds,
    frequencyGroups: prepared.frequencyGroups,
    arrays,
  };
}
