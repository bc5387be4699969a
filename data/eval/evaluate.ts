// The LVIS bbox evaluator: lvis-api's LVISEval(gt, results, "bbox").run() as pure functions, giving the same
// doubles for every metric. Shared by `baclctl eval` and the worker's evaluate stage. The per-category work
// (match + accumulate) runs on `threads` threads (parallel.ts); summarize stays on this one, in the official
// order, so the metrics are the same bits whatever the thread count.
import type { LvisFrequency, LvisGroundTruth } from '../../common/index.js';
import { emptyPrecisionRecall, type PrecisionRecall } from './accumulate.js';
import { CategoryScratch, evaluateCategory } from './category.js';
import {
  detectionTargets,
  toDetectionColumns,
  type DetectionColumns,
  type DetectionInput,
  type DetectionTargets,
  type OutsideImageCount,
} from './detections.js';
import { evaluateCategoriesInParallel } from './parallel.js';
import { prepareEvaluation, sharedBuffers, type PrepareOptions, type PreparedEvaluation } from './prepare.js';
import { summarize, type LvisMetrics } from './summarize.js';

export type LvisEvaluateOptions = PrepareOptions;

export interface LvisParallelOptions extends LvisEvaluateOptions {
  /** Threads for the per-category work; 1 runs it on this thread, without a worker. @default 1 */
  threads?: number;
  /** The targets the columns were read against (saves building them twice). */
  targets?: DetectionTargets;
  signal?: AbortSignal;
}

export interface LvisEvaluation {
  metrics: LvisMetrics;
  /** Sorted category ids; index k of the arrays below. */
  categoryIds: number[];
  /** Category indices per declared frequency (lvis-api's freq_groups). */
  frequencyGroups: Record<LvisFrequency, number[]>;
  /** precision[T=10][R=101][K][A=4] and recall[T][K][A], C order, -1 where undefined. */
  arrays: PrecisionRecall;
  /** Detections with a box reaching outside their image (evaluated as given; see detections.ts). */
  outsideImage: OutsideImageCount;
}

function finish(
  prepared: PreparedEvaluation,
  arrays: PrecisionRecall,
  dts: DetectionColumns,
): LvisEvaluation {
  return {
    metrics: summarize(arrays, prepared.frequencyGroups),
    categoryIds: prepared.categoryIds,
    frequencyGroups: prepared.frequencyGroups,
    arrays,
    outsideImage: dts.outsideImage,
  };
}

/** Evaluates bbox `results` against `gt` exactly as the official lvis package does (see docs/adr/0006), on this thread. */
export function evaluateLvis(
  gt: LvisGroundTruth,
  results: readonly DetectionInput[],
  options: LvisEvaluateOptions = {},
): LvisEvaluation {
  const targets = detectionTargets(gt);
  const dts = toDetectionColumns(results, targets, options.resultsSource ?? 'results');
  const prepared = prepareEvaluation(gt, targets, dts, options);
  const arrays = emptyPrecisionRecall(prepared.categoryIds.length);
  const scratch = new CategoryScratch();
  for (let k = 0; k < prepared.categoryIds.length; k++) evaluateCategory(prepared, k, arrays, scratch);
  return finish(prepared, arrays, dts);
}

/** A thread count must be a positive integer (a RangeError otherwise). */
export function checkThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
}

/**
 * evaluateLvis on detection columns (the streaming reader's) or objects, the categories spread over
 * `threads` threads; the same numbers, bit for bit, for every thread count.
 */
export async function evaluateLvisParallel(
  gt: LvisGroundTruth,
  results: DetectionColumns | readonly DetectionInput[],
  options: LvisParallelOptions = {},
): Promise<LvisEvaluation> {
  const threads = options.threads ?? 1;
  checkThreads(threads);
  const targets = options.targets ?? detectionTargets(gt);
  const dts = Array.isArray(results)
    ? toDetectionColumns(results as readonly DetectionInput[], targets, options.resultsSource ?? 'results')
    : (results as DetectionColumns);
  const allocate = threads > 1 ? sharedBuffers : undefined;
  const prepared = prepareEvaluation(gt, targets, dts, options, allocate);
  const arrays = emptyPrecisionRecall(prepared.categoryIds.length, allocate);
  if (threads === 1) {
    const scratch = new CategoryScratch();
    for (let k = 0; k < prepared.categoryIds.length; k++) {
      if (k % 64 === 0) options.signal?.throwIfAborted();
      evaluateCategory(prepared, k, arrays, scratch);
    }
  } else await evaluateCategoriesInParallel(prepared, arrays, threads, options.signal);
  return finish(prepared, arrays, dts);
}
