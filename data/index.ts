// data/: LVIS data tooling shared by the CLI and the worker: the evaluator, synthetic subsets and shards. Only
// names another part imports are listed; tests and benchmarks reach the rest through data/internal.ts.
export { DataError, type DataErrorKind } from './errors.js';
export {
  defaultEvalThreads,
  evaluateLvis,
  evaluateLvisFiles,
  formatLvisMetrics,
  IOU_THRESHOLDS,
  LVIS_METRIC_KEYS,
  type LvisEvaluation,
  type LvisMetrics,
  MAX_DETECTIONS_PER_IMAGE,
  perCategoryAp,
} from './eval/index.js';
export {
  type DatasetSample,
  type DatasetSource,
  decodeJpeg,
  openDatasetSource,
  parseShardLocation,
  prepareShards,
  readShardManifest,
  resolveS3ClientConfig,
  defaultS3RetryPolicy,
  describeRetry,
  resolveS3RetryPolicy,
  retryOptions,
  retryS3,
  uploadWithin,
  S3RequestFailedError,
  type S3RetryNotice,
  type S3RetryPolicy,
  type S3RetrySettings,
  ShardDatasetReader,
  type ShardManifest,
} from './shards/index.js';
export {
  ensureSynthDataset,
  type EnsuredSynthDataset,
  SynthDatasetMismatchError,
  synthDefaults,
  synthOptionsFromConfig,
  type SynthOptions,
  writeSynthDataset,
} from './synth/index.js';
export {
  apVsFrequencySvg,
  formatPerCategoryFile,
  groundTruthToDraw,
  imageLocationKind,
  parsePerCategoryFile,
  perCategoryFileName,
  predictionsToDraw,
  readImages,
  renderDetectionPanels,
  VisualizeError,
  type PlotRun,
} from './viz/index.js';
