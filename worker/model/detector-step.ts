// One training step of the detector, per stage (spec 1.3-1.5), split where the data-parallel runtime needs
// to step in: `computeGradients` runs the forward and backward of one rank's batch and returns the gradients
// and (stage 2) this rank's FCBL increments; the runtime all-reduces both, steps the optimizer, then calls
// `finishStep` to apply the summed increments (ADR 0008: after the step). `trainStep` chains the three for one
// process.
//
// In stage 2 nothing upstream of the features trains (spec 1.4), so backbone + FPN run outside the gradient
// closure and the tape holds none of their activations (ADR 0015, consequences).
import * as tf from '@tensorflow/tfjs';
import type { TrainingStageName, UniformRng } from '../../common/index.js';
import { DetectorInputError } from './detector-errors.js';
import {
  fcblOptions,
  hallucinationOptions,
  roiAlignOptions,
  roiTargetOptions,
  rpnTargetOptions,
  trainProposalOptions,
} from './detector-options.js';
import type { Detector } from './detector.js';
import type { SgdMomentum } from './detector-optimizer.js';
import {
  applyFcblIncrements,
  disposeFcblIncrements,
  type FcblIncrements,
  type ImageSize,
} from './losses/index.js';
import {
  baselineStep,
  classifierStep,
  representationStep,
  type RoiStepInputs,
  type RoiStepLosses,
} from './roi-head/index.js';
import { rpnLoss, rpnProposals, rpnTargets } from './rpn/index.js';

/** One rank's batch, ready for the network. */
export interface DetectorBatch {
  /** Normalised images, padded to a common size [B, H, W, 3]. */
  images: tf.Tensor4D;
  /** Each image's resized, un-padded size (mmdet `img_shape`). */
  imageSizes: ImageSize[];
  /** Per image, flat xyxy GT boxes in resized pixels. */
  gtBoxes: Float32Array[];
  /** Per image, GT classes in [0, C). */
  gtLabels: Int32Array[];
}

/** The four losses of a step, read back as numbers. */
export interface StepLosses {
  rpnCls: number;
  rpnBbox: number;
  roiCls: number;
  roiBbox: number;
  total: number;
}

export interface StepGradients {
  /** By tfjs variable name; the caller disposes them (disposeStepGradients). */
  grads: tf.NamedTensorMap;
  losses: StepLosses;
  /** Stage 2 only: this rank's FCBL increments, to sum over ranks and apply after the optimizer step. */
  increments?: FcblIncrements;
  /** Stage 2 only: rows FHM appended to the classifier's batch. */
  hallucinatedRows: number;
}

function checkBatch(batch: DetectorBatch): void {
  const count = batch.images.shape[0];
  for (const [input, list] of [
    ['imageSizes', batch.imageSizes],
    ['gtBoxes', batch.gtBoxes],
    ['gtLabels', batch.gtLabels],
  ] as const) {
    if (list.length !== count)
      throw new DetectorInputError(input, [list.length], `[${count}] (one per image)`);
  }
}

function roiLosses(
  detector: Detector,
  stage: TrainingStageName,
  inputs: RoiStepInputs,
  imageSizes: readonly ImageSize[],
): RoiStepLosses & { increments?: FcblIncrements; hallucinatedRows?: number } {
  if (stage === 'representation') return representationStep(inputs);
  if (stage === 'baseline') return baselineStep(inputs);
  const fcbl = detector.fcbl;
  if (fcbl === undefined) throw new DetectorInputError('fcbl', [], 'FCBL state (a sigmoid detector)');
  return classifierStep({
    ...inputs,
    fcbl,
    ...(detector.fhm === undefined ? {} : { fhm: detector.fhm, imageSizes }),
    fcblOptions: fcblOptions(detector.config.losses),
    hallucination: hallucinationOptions(detector.config.losses),
  });
}

/** Forward + backward of one batch for `stage` over `variables` (from Detector.prepareStage). */
export function computeGradients(
  detector: Detector,
  stage: TrainingStageName,
  variables: tf.Variable[],
  batch: DetectorBatch,
  rng: UniformRng,
): StepGradients {
  checkBatch(batch);
  const model = detector.config.model;
  const fixedFeatures = stage === 'classifier' ? detector.features(batch.images) : undefined;
  const read = (scalar: tf.Scalar): number => scalar.dataSync()[0] ?? Number.NaN;
  let losses: StepLosses | undefined;
  let increments: FcblIncrements | undefined;
  let hallucinatedRows = 0;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const features = fixedFeatures ?? detector.features(batch.images);
      const rpnOutputs = detector.rpn.apply(features);
      const anchors = detector.anchorsFor(features);
      const targets = rpnTargets(anchors.all, batch.gtBoxes, rng, rpnTargetOptions(model));
      const rpn = rpnLoss(rpnOutputs, targets);
      // Proposals read the RPN outputs back (dataSync works inside the closure, tfjs-notes 6.1); no gradient.
      const proposals = rpnProposals(
        rpnOutputs,
        anchors.levels,
        batch.imageSizes,
        trainProposalOptions(model),
      );
      const roi = roiLosses(
        detector,
        stage,
        {
          head: detector.head,
          features: features.slice(0, 4),
          images: proposals.map((p, b) => ({
            proposals: p.boxes,
            gtBoxes: batch.gtBoxes[b] as Float32Array,
            gtLabels: batch.gtLabels[b] as Int32Array,
          })),
          rng,
          targets: roiTargetOptions(model),
          roiAlign: roiAlignOptions(model),
        },
        batch.imageSizes,
      );
      increments = roi.increments;
      hallucinatedRows = roi.hallucinatedRows ?? 0;
      const total = tf.addN<tf.Scalar>([rpn.cls, rpn.bbox, roi.cls, roi.bbox]);
      losses = {
        rpnCls: read(rpn.cls),
        rpnBbox: read(rpn.bbox),
        roiCls: read(roi.cls),
        roiBbox: read(roi.bbox),
        total: read(total),
      };
      return total;
    }, variables);
    value.dispose();
    return {
      grads,
      losses: losses as StepLosses,
      ...(increments === undefined ? {} : { increments }),
      hallucinatedRows,
    };
  } catch (error) {
    if (increments !== undefined) disposeFcblIncrements(increments);
    throw error;
  } finally {
    if (fixedFeatures !== undefined) tf.dispose(fixedFeatures);
  }
}

export function disposeStepGradients(step: StepGradients): void {
  tf.dispose(Object.values(step.grads));
  if (step.increments !== undefined) disposeFcblIncrements(step.increments);
}

/** After the optimizer step: apply the (summed) FCBL increments to the LTI and free them (ADR 0008). */
export function finishStep(detector: Detector, increments: FcblIncrements | undefined): void {
  if (increments === undefined) return;
  if (detector.fcbl === undefined)
    throw new DetectorInputError('fcbl', [], 'FCBL state (a sigmoid detector)');
  applyFcblIncrements(detector.fcbl, increments);
}

/** A whole single-process step: gradients, SGD update at `lr`, increments applied; returns the losses. */
export function trainStep(
  detector: Detector,
  stage: TrainingStageName,
  variables: tf.Variable[],
  optimizer: SgdMomentum,
  batch: DetectorBatch,
  rng: UniformRng,
  lr: number,
): StepLosses {
  const step = computeGradients(detector, stage, variables, batch, rng);
  try {
    optimizer.step(step.grads, lr);
    finishStep(detector, step.increments);
    return step.losses;
  } finally {
    disposeStepGradients(step);
  }
}
