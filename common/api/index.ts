// The BaclJob API (bacl.dev/v1alpha1): zod schemas that are the single source of the CRD, the types and the
// validation used by the operator and the CLI.
export {
  baclJobSchema,
  InvalidBaclJobError,
  objectMetaSchema,
  parseBaclJob,
  type BaclJob,
  type ObjectMeta,
} from './job.js';
export {
  baclJobResource,
  dnsLabelPattern,
  jobNameMaxLength,
  jobNamePattern,
  podLabels,
  workerContainer,
} from './names.js';
export {
  defaultTrainingStages,
  jobStages,
  jobStagesOf,
  trainingStages,
  trainingStagesSchema,
  type JobStage,
  type TrainingStageName,
} from './stages.js';
export {
  baclJobSpecSchema,
  cleanPodPolicies,
  maxS3RequestTimeoutSeconds,
  defaultTerminationGracePeriodSeconds,
  maxTerminationGracePeriodSeconds,
  type BaclJobSpec,
  type BaclJobSpecInput,
  type CleanPodPolicy,
  type Toleration,
} from './spec.js';
export {
  baclJobStatusSchema,
  jobConditionTypes,
  jobStates,
  type BaclJobStatus,
  type CheckpointRef,
  type Condition,
  type ConditionType,
  type JobState,
  type Progress,
  type Results,
  type Workers,
} from './status.js';
export {
  checkpointMessageSchema,
  evaluationMetricsSchema,
  jobInboxPrefix,
  jobSubjectRoot,
  metricsObjectPath,
  parseProgressSubject,
  progressMessageSchema,
  progressSubject,
  rankReportSchema,
  type CheckpointMessage,
  type EvaluationMetrics,
  type ProgressMessage,
  type RankReport,
} from './progress.js';
