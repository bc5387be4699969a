// RoI-head training targets (spec 1.2 "R-CNN training"; mmdet 2.8 `StandardRoIHead.forward_train` and
// `BBoxHead.get_targets`): per image, the max-IoU assigner (pos >= 0.5, neg < 0.5, min_pos 0.5, low-quality
// matches) over the proposals, then the random sampler (512 RoIs, 25 % positive) with the GT boxes added as
// proposals. Rows come image by image, each image's positives then its negatives (mmdet's `bbox2roi` of
// `pos_bboxes + neg_bboxes`), and carry:
//   - label: the GT class in [0, C) for positives, C (background) for negatives;
//   - box target: encode(RoI, its GT) with stds 0.1/0.1/0.2/0.2, for positives only (zeros for negatives).
// Label and box weights are 1 on every sampled row (pos_weight −1), so they are not stored. Pure JS apart from
// the encode, which uses the shared tfjs coder so targets and decoding share one convention.
import {
  assignMaxIou,
  boxCount,
  encodeDeltaRows,
  gatherBoxes,
  ROI_ASSIGNER,
  ROI_CODER,
  ROI_SAMPLER,
  sampleRandom,
  type DeltaCoderOptions,
  type MaxIouAssignerOptions,
  type RandomSamplerOptions,
} from '../boxes/index.js';
import { RoiHeadOptionError, RoiHeadShapeError } from './errors.js';
import type { UniformRng } from '../../../common/index.js';

/** One training image as the RoI head sees it. */
export interface RoiTrainingImage {
  /** Proposals from the RPN, flat xyxy in resized-image pixels (scores not needed). */
  proposals: Float32Array;
  /** GT boxes, flat xyxy in resized-image pixels (crowd/ignored boxes excluded). */
  gtBoxes: Float32Array;
  /** GT classes in [0, C), one per GT box. */
  gtLabels: Int32Array;
}

export interface RoiTargetOptions {
  /** @default ROI_ASSIGNER (0.5 / 0.5 / 0.5) */
  assigner?: MaxIouAssignerOptions;
  /** @default ROI_SAMPLER (512, 0.25, GT added) */
  sampler?: RandomSamplerOptions;
  /** @default ROI_CODER (means 0, stds 0.1/0.1/0.2/0.2) */
  coder?: DeltaCoderOptions;
}

/** The sampled RoIs of a batch and their targets; row r of every field is the same RoI. */
export interface RoiTargets {
  /** [N·4] flat xyxy of the sampled RoIs (RoIAlign's `boxes`). */
  boxes: Float32Array;
  /** [N] the batch image of each RoI (RoIAlign's `batchIndices`). */
  batchIndices: Int32Array;
  /** [N] class in [0, C) for positives, C for background. */
  labels: Int32Array;
  /** [N·4] the positive's own-class encoded deltas; zeros on negatives. */
  bboxTargets: Float32Array;
  /** C. */
  numClasses: number;
  /** Sampled positives per image. */
  positives: number[];
  /** Sampled negatives per image. */
  negatives: number[];
}

function checkImage(image: RoiTrainingImage, index: number, numClasses: number): void {
  boxCount(image.proposals, `images[${index}].proposals`);
  const gtCount = boxCount(image.gtBoxes, `images[${index}].gtBoxes`);
  if (image.gtLabels.length !== gtCount) {
    throw new RoiHeadShapeError(
      `images[${index}].gtLabels`,
      [image.gtLabels.length],
      `[${gtCount}] (one per GT box)`,
    );
  }
  image.gtLabels.forEach((label, g) => {
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RoiHeadOptionError(
        `images[${index}].gtLabels[${g}]`,
        label,
        `must be a class in [0, ${numClasses})`,
      );
    }
  });
}

/** Assigns, samples and encodes the RoIs of every image of a batch, drawing from `rng` image by image. */
export function roiTargets(
  images: readonly RoiTrainingImage[],
  numClasses: number,
  rng: UniformRng,
  options: RoiTargetOptions = {},
): RoiTargets {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RoiHeadOptionError('numClasses', numClasses, 'must be a positive integer');
  }
  images.forEach((image, index) => checkImage(image, index, numClasses));
  const assigner = options.assigner ?? ROI_ASSIGNER;
  const sampler = options.sampler ?? ROI_SAMPLER;
  const coder = options.coder ?? ROI_CODER;

  const perImage = images.map((image) => {
    const assignment = assignMaxIou(image.proposals, image.gtBoxes, assigner, image.gtLabels);
    const sample = sampleRandom(image.proposals, image.gtBoxes, assignment, sampler, rng, image.gtLabels);
    const positiveBoxes = gatherBoxes(sample.candidates, sample.positives);
    const deltas = encodeDeltaRows(positiveBoxes, gatherBoxes(image.gtBoxes, sample.positiveGt), coder);
    return { sample, positiveBoxes, deltas };
  });

  const total = perImage.reduce(
    (sum, { sample }) => sum + sample.positives.length + sample.negatives.length,
    0,
  );
  const targets: RoiTargets = {
    boxes: new Float32Array(4 * total),
    batchIndices: new Int32Array(total),
    labels: new Int32Array(total).fill(numClasses),
    bboxTargets: new Float32Array(4 * total),
    numClasses,
    positives: [],
    negatives: [],
  };
  let row = 0;
  perImage.forEach(({ sample, positiveBoxes, deltas }, b) => {
    const positiveCount = sample.positives.length;
    const count = positiveCount + sample.negatives.length;
    targets.boxes.set(positiveBoxes, 4 * row);
    targets.boxes.set(gatherBoxes(sample.candidates, sample.negatives), 4 * (row + positiveCount));
    targets.batchIndices.fill(b, row, row + count);
    // sampleRandom returns labels whenever it is given gtLabels, which checkImage made sure of.
    targets.labels.set(sample.positiveLabels ?? new Int32Array(positiveCount), row);
    targets.bboxTargets.set(deltas, 4 * row);
    targets.positives.push(positiveCount);
    targets.negatives.push(sample.negatives.length);
    row += count;
  });
  return targets;
}
