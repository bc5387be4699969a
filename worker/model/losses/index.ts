// Public surface of the classifier losses and the FHM block: what the RoI head and the training runtime use.
export { bceWithLogits } from './bce-with-logits.js';
export { detach } from './detach.js';
export { LossOptionError, LossShapeError } from './errors.js';
export { FCBL_DEFAULTS, fcblLoss, type FcblOptions, type FcblResult } from './fcbl.js';
export {
  applyFcblIncrements,
  disposeFcblIncrements,
  fcblIncrements,
  fcblIncrementsFromArrays,
  fcblIncrementsToArrays,
  sumFcblIncrements,
  type FcblIncrements,
} from './fcbl-increments.js';
export { pairwiseMargins } from './fcbl-margins.js';
export { FcblState, type FcblSnapshot } from './fcbl-state.js';
export { shortTermWeights } from './fcbl-weights.js';
export {
  JITTER_FRACTION,
  JITTER_SIGNS,
  JITTERS_PER_BOX,
  jitterGroundTruthBoxes,
  type ImageSize,
  type JitteredBoxes,
} from './fhm-box-jitter.js';
export { DEFAULT_SAMPLED_CLASSES, sampleHallucinationClasses } from './fhm-class-sampling.js';
export {
  appendHallucinatedRows,
  DEFAULT_SAMPLES_PER_CLASS,
  hallucinate,
  synthesizeFeatures,
  type ClassifierLayer,
  type HallucinatedFeatures,
  type HallucinationOptions,
} from './fhm-hallucinate.js';
export { classMoments, type ClassMoments } from './fhm-moments.js';
export { DEFAULT_FHM_DECAY, FhmState, type FhmSnapshot } from './fhm-state.js';
export { DEFAULT_PRIOR_PROBABILITY, detectionScores, priorBias } from './sigmoid-classifier.js';
export { averageOverRois, type WeightedClassificationOptions } from './roi-averaging.js';
export { sigmoidBceLoss } from './sigmoid-bce.js';
export { softmaxCrossEntropyLoss } from './softmax-ce.js';
export { absWithSignGradient } from './abs-l1.js';
