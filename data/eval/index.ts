// The LVIS bbox evaluator (the official lvis package's numbers, computed in TypeScript).
export {
  evaluateLvis,
  evaluateLvisParallel,
  type LvisEvaluateOptions,
  type LvisEvaluation,
  type LvisParallelOptions,
} from './evaluate.js';
export { defaultEvalThreads, evaluateLvisFiles, type LvisFilesOptions } from './evaluate-files.js';
export { evaluatorPeakMemoryBound, type EvaluatorShape } from './memory.js';
export {
  detectionTargets,
  OUTSIDE_IMAGE_TOLERANCE,
  toDetectionColumns,
  type DetectionColumns,
  type DetectionTargets,
  type OutsideImageCount,
} from './detections.js';
export {
  loadResultsColumns,
  RangeProblem,
  readResultsColumns,
  ResultsTokenizer,
  type TokenizerRange,
} from './results-reader.js';
export { BoundaryScanner, joinRanges, planRanges, type RangeColumns } from './results-ranges.js';
export { readResultsRange, type RangeRead } from './results-range-read.js';
export { startRangeReaders, type RangeReaders } from './results-range-threads.js';
export { divideWide, scaleExact } from './decimal.js';
export { LVIS_METRIC_KEYS, type LvisMetrics } from './summarize.js';
export { formatLvisMetrics, type LvisMetricsFormat } from './format.js';
export { categoryAp, perCategoryAp, type CategoryAp } from './per-category.js';
export type { PrecisionRecall } from './accumulate.js';
export type { DetectionInput } from './detections.js';
export {
  AREA_RANGES,
  IOU_THRESHOLDS,
  MAX_DETECTIONS_PER_IMAGE,
  RECALL_THRESHOLDS,
  numpyLinspace,
  type AreaRange,
} from './params.js';
export { numpyMean, numpyPairwiseSum } from './numpy-sum.js';
export { bboxIou } from './iou.js';
