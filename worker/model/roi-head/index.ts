// Public surface of the RoI head: targets, the Shared2FC box head, the box loss, the per-stage training steps
// and the per-stage trainable-set rule.
export {
  BOX_HEAD_DEFAULTS,
  BoxHead,
  disposeBoxHeadOutputs,
  type BoxHeadOptions,
  type BoxHeadOutputs,
  type ClassifierKind,
  type DenseParams,
} from './box-head.js';
export { roiBoxLoss } from './box-loss.js';
export { RoiHeadOptionError, RoiHeadShapeError } from './errors.js';
export { observeGroundTruthEmbeddings } from './fhm-statistics.js';
export { roiTargets, type RoiTargetOptions, type RoiTargets, type RoiTrainingImage } from './roi-targets.js';
export {
  baselineStep,
  classifierStep,
  representationStep,
  type ClassifierStepInputs,
  type ClassifierStepLosses,
  type RoiStepInputs,
  type RoiStepLosses,
} from './training-step.js';
