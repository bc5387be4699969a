// What cli/, operator/, worker/ and data/ share: process conventions and exit codes, the BaclJob API, config
// resolution, the typed training config, the LVIS formats and the seeded random generators. Only names another
// part imports are listed; tests and benchmarks reach the rest through common/internal.ts.
export {
  type BaclJob,
  baclJobResource,
  baclJobSchema,
  type BaclJobSpecInput,
  type BaclJobStatus,
  type CheckpointRef,
  type Condition,
  type ConditionType,
  evaluationMetricsSchema,
  InvalidBaclJobError,
  jobConditionTypes,
  jobNameMaxLength,
  type JobStage,
  jobStages,
  jobStagesOf,
  type JobState,
  jobStates,
  metricsObjectPath,
  type ObjectMeta,
  parseBaclJob,
  parseProgressSubject,
  podLabels,
  progressSubject,
  rankReportSchema,
  type Results,
  type TrainingStageName,
  workerContainer,
  type Workers,
} from './api/index.js';
export {
  ConfigError,
  ConfigNotFoundError,
  ConfigValidationError,
  resolveConfig,
  type ResolvedConfig,
  validateConfig,
} from './config/index.js';
export { baclCacheDir, cacheDirEnvVar } from './cache-dir.js';
export { type ErrorCode, errorCodes, ExitCode, type ExitStatus } from './exit-codes.js';
export {
  computeLvisCategoryStatistics,
  loadLvisGroundTruth,
  loadLvisResults,
  type LvisAnnotation,
  lvisAnnotationSchema,
  type LvisDetection,
  LvisFormatError,
  type LvisFrequency,
  lvisFrequencyForImageCount,
  lvisFrequencySchema,
  type LvisGroundTruth,
  type LvisImage,
  lvisImageSchema,
  LvisReadError,
  LvisReferenceError,
  readLvisGroundTruth,
  validateLvisValue,
} from './lvis/index.js';
export {
  answerStandardFlags,
  helpText,
  packageRoot,
  packageVersion,
  processIO,
  type ProgramInfo,
  type ProgramIO,
  standardFlags,
} from './program.js';
export { hash32, Mulberry32, SeededRandom, seededRng, standardNormals, type UniformRng } from './random.js';
export {
  configDigest,
  type DataConfig,
  learningRateAt,
  loadTrainingConfig,
  type LossesConfig,
  type ModelConfig,
  type StageSchedule,
  type TrainingConfig,
  trainingConfigSchema,
} from './training-config/index.js';
