// The RoI head's part of one training step, per stage. Each function runs *inside* the runtime's gradient
// closure (tf.variableGrads), after the RPN has produced proposals, and returns the stage's two R-CNN losses;
// the runtime adds them to the RPN losses, differentiates, all-reduces and steps the optimizer.
//   - representation (stage 1, spec 1.3): sigmoid BCE over C+1 + L1 box loss;
//   - baseline (spec 1.5): softmax CE over C+1 + L1 box loss;
//   - classifier (stage 2, spec 1.4 and ADR 0008's order): targets → jittered GTs embedded without gradient →
//     fhm.observe → hallucinate (classes drawn by the soft accuracy *before* this step's increments) → RoI
//     logits with the hallucinated rows appended through `fc_cls` only → FCBL + L1 box loss on the real RoIs.
//     It also returns this rank's FCBL increments (tf.keep-ed): the runtime sums them over ranks, calls
//     applyFcblIncrements after the optimizer step, and disposes them.
// Randomness is drawn from `rng` in the reference's order: sampling image by image, then the jitter, then the
// class draw and the noise.
import * as tf from '@tensorflow/tfjs';
import {
  appendHallucinatedRows,
  fcblLoss,
  hallucinate,
  sigmoidBceLoss,
  softmaxCrossEntropyLoss,
  type FcblIncrements,
  type FcblOptions,
  type FcblState,
  type FhmState,
  type HallucinationOptions,
  type ImageSize,
} from '../losses/index.js';
import { roiAlign, type RoiAlignOptions } from '../roi-align.js';
import type { BoxHead, BoxHeadOutputs } from './box-head.js';
import { roiBoxLoss } from './box-loss.js';
import { RoiHeadOptionError } from './errors.js';
import { observeGroundTruthEmbeddings } from './fhm-statistics.js';
import { roiTargets, type RoiTargetOptions, type RoiTargets, type RoiTrainingImage } from './roi-targets.js';
import type { UniformRng } from '../../../common/index.js';

/** What every stage's step needs. */
export interface RoiStepInputs {
  head: BoxHead;
  /** The RoI levels P2..P5 ([B, H, W, 256], finest first); P6 is the RPN's only. */
  features: readonly tf.Tensor4D[];
  /** One entry per batch image, in batch order. */
  images: readonly RoiTrainingImage[];
  rng: UniformRng;
  targets?: RoiTargetOptions;
  roiAlign?: RoiAlignOptions;
}

/** Stage 2's extra inputs: the FCBL state (read only here) and this rank's FHM state (updated here). */
export interface ClassifierStepInputs extends RoiStepInputs {
  fcbl: FcblState;
  /** FHM's Gaussians; omit to train FCBL alone (no statistics, no hallucination). */
  fhm?: FhmState;
  /** Resized, un-padded size of each image, for the jitter's clamp (spec 3.3); needed with `fhm`. */
  imageSizes?: readonly ImageSize[];
  fcblOptions?: FcblOptions;
  hallucination?: HallucinationOptions;
}

export interface RoiStepLosses {
  /** The classification loss of the stage. */
  cls: tf.Scalar;
  /** The L1 box loss over the real sampled RoIs. */
  bbox: tf.Scalar;
  /** The targets the losses were computed against (for logging and tests). */
  targets: RoiTargets;
}

export interface ClassifierStepLosses extends RoiStepLosses {
  /** This rank's FCBL increments; the caller owns and disposes them. */
  increments: FcblIncrements;
  /** How many hallucinated rows were appended. */
  hallucinatedRows: number;
}

/** Targets, then RoIAlign and the head over the sampled RoIs. */
function forwardSampled(inputs: RoiStepInputs): { targets: RoiTargets; outputs: BoxHeadOutputs } {
  const targets = roiTargets(inputs.images, inputs.head.numClasses, inputs.rng, inputs.targets);
  const rois = { boxes: targets.boxes, batchIndices: targets.batchIndices };
  const pooled = roiAlign([...inputs.features], rois, inputs.roiAlign);
  const outputs = inputs.head.apply(pooled);
  pooled.dispose();
  return { targets, outputs };
}

function sampledRoiLosses(
  inputs: RoiStepInputs,
  expected: 'sigmoid' | 'softmax',
  loss: (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar,
): RoiStepLosses {
  if (inputs.head.options.classifier !== expected) {
    throw new RoiHeadOptionError(
      'head.options.classifier',
      inputs.head.options.classifier,
      `must be '${expected}'`,
    );
  }
  let targets: RoiTargets | undefined;
  const [cls, bbox] = tf.tidy(() => {
    const forward = forwardSampled(inputs);
    targets = forward.targets;
    const labels = tf.tensor1d(forward.targets.labels, 'int32');
    return [loss(forward.outputs.clsScore, labels), roiBoxLoss(forward.outputs.bboxPred, forward.targets)];
  });
  return { cls, bbox, targets: targets as RoiTargets };
}

/** Stage 1: sigmoid BCE over C+1 logits (spec 1.3) and the L1 box loss. */
export function representationStep(inputs: RoiStepInputs): RoiStepLosses {
  return sampledRoiLosses(inputs, 'sigmoid', (logits, labels) => sigmoidBceLoss(logits, labels));
}

/** The baseline: softmax CE over C+1 logits (spec 1.5) and the L1 box loss. */
export function baselineStep(inputs: RoiStepInputs): RoiStepLosses {
  return sampledRoiLosses(inputs, 'softmax', (logits, labels) => softmaxCrossEntropyLoss(logits, labels));
}

/** Stage 2: FHM + FCBL in ADR 0008's order, and the L1 box loss on the real RoIs. */
export function classifierStep(inputs: ClassifierStepInputs): ClassifierStepLosses {
  const { head, fcbl, fhm, rng } = inputs;
  if (head.options.classifier !== 'sigmoid') {
    throw new RoiHeadOptionError(
      'head.options.classifier',
      head.options.classifier,
      "must be 'sigmoid' for FCBL",
    );
  }
  const imageSizes = inputs.imageSizes;
  if (fhm !== undefined && imageSizes === undefined) {
    throw new RoiHeadOptionError('imageSizes', undefined, 'must give each image size when FHM is on');
  }
  let targets: RoiTargets | undefined;
  let hallucinatedRows = 0;
  const result = tf.tidy(() => {
    const forward = forwardSampled(inputs);
    targets = forward.targets;
    const labels = tf.tensor1d(forward.targets.labels, 'int32');
    const bbox = roiBoxLoss(forward.outputs.bboxPred, forward.targets);
    if (fhm === undefined || imageSizes === undefined) {
      return { bbox, ...fcblLoss(forward.outputs.clsScore, labels, fcbl, inputs.fcblOptions) };
    }
    observeGroundTruthEmbeddings(head, inputs.features, inputs.images, imageSizes, fhm, rng, inputs.roiAlign);
    // C floats read back: the class draw runs on the CPU (spec 3.5). The tidy frees the tensor.
    const softAccuracy = fcbl.softAccuracy().dataSync();
    const hallucinated = hallucinate(fhm, softAccuracy, rng, inputs.hallucination);
    hallucinatedRows = hallucinated.labels.length;
    const appended = appendHallucinatedRows(forward.outputs.clsScore, labels, hallucinated, (x) =>
      head.classify(x),
    );
    return { bbox, ...fcblLoss(appended.logits, appended.labels, fcbl, inputs.fcblOptions) };
  });
  return {
    cls: result.loss,
    bbox: result.bbox,
    increments: result.increments,
    targets: targets as RoiTargets,
    hallucinatedRows,
  };
}
