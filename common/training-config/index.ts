// The typed training config (issue #6): the zod schema of configs/*.yaml and its loader.
export { configDigest } from './digest.js';
export {
  dataSchema,
  representationPipelineSchema,
  synthDataSchema,
  type DataConfig,
  type SynthDataConfig,
} from './data-schema.js';
export { loadTrainingConfig, type LoadTrainingConfigOptions } from './load.js';
export { fcblSchema, fhmSchema, lossesSchema, type LossesConfig } from './losses-schema.js';
export {
  backboneSchema,
  modelSchema,
  roiHeadSchema,
  rpnSchema,
  type BackboneConfig,
  type ModelConfig,
} from './model-schema.js';
export {
  learningRateAt,
  scaledSchedule,
  scheduleSchema,
  stageScheduleSchema,
  type ScheduleConfig,
  type StageSchedule,
} from './schedule-schema.js';
export {
  checkpointConfigSchema,
  evaluationSchema,
  trainingConfigSchema,
  type TrainingConfig,
} from './training-config-schema.js';
