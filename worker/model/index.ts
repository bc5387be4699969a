// Public surface of the detector model: the assembled Faster R-CNN (build from the typed config, per-stage
// training steps, inference to LVIS rows, checkpoints) and the blocks a runtime or a benchmark reaches for.
export { classifierForStages, Detector, type DetectorConfig, type LevelAnchors } from './detector.js';
export {
  detectorArrays,
  loadDetector,
  saveDetector,
  type LoadDetectorOptions,
} from './detector-checkpoint.js';
export { DetectorInputError, DetectorOptionError } from './detector-errors.js';
export { loadMmdetDetector, mmdetLayouts } from './detector-mmdet.js';
export { ModelError, ModelOptionError, ModelShapeError } from './errors.js';
export { detectBatch, detectLvis } from './detector-inference.js';
export {
  prepareBatch,
  rescaleSize,
  type BatchOptions,
  type PreparedBatch,
  type RescaledSize,
  type SourceImage,
} from './detector-input.js';
export { SgdMomentum, type SgdOptions } from './detector-optimizer.js';
export {
  computeGradients,
  disposeStepGradients,
  finishStep,
  trainStep,
  type DetectorBatch,
  type StepGradients,
  type StepLosses,
} from './detector-step.js';
export { trainStage, type TrainStageOptions, type TrainStageResult } from './detector-trainer.js';
export {
  applyFcblIncrements,
  fcblIncrementsFromArrays,
  fcblIncrementsToArrays,
  sumFcblIncrements,
  type FcblIncrements,
} from './losses/index.js';
export type { Detections } from './inference/index.js';
export { freezeForStage } from './trainable-sets.js';
export type { WeightStorage } from './weights/index.js';
