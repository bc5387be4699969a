// The LVIS bbox evaluator (the official lvis package's numbers, computed in TypeScript).
export { evaluateLvis, type LvisEvaluateOptions, type LvisEvaluation } from './evaluate.js';
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
