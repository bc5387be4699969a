// RPN training targets (spec 1.2; mmdet 2.8 `AnchorHead.get_targets` with RPN's settings): per image, the
// max-IoU assigner (0.7 / 0.3 / 0.3, low-quality matches) and the random sampler (256, 50 %) over all
// anchors of all levels, then dense per-anchor arrays:
//   - label 1 for sampled positives, 0 otherwise (RPN has one class; mmdet's "label 0 of 1 classes");
//   - label weight 1 for sampled positives and negatives, 0 for everything else;
//   - box targets encode(anchor, its GT) with means 0 / stds 1 and box weight 1 on the positives only.
// The loss divides by avg_factor = Σ_images max(#pos, 1) + max(#neg, 1) (mmdet's num_total_samples when
// sampling), across the whole batch.
import {
  assignMaxIou,
  boxCount,
  encodeDeltaRows,
  gatherBoxes,
  RPN_ASSIGNER,
  RPN_CODER,
  RPN_SAMPLER,
  sampleRandom,
  type DeltaCoderOptions,
  type MaxIouAssignerOptions,
  type RandomSamplerOptions,
} from '../boxes/index.js';
import type { UniformRng } from '../../../common/index.js';

export interface RpnTargetOptions {
  /** @default RPN_ASSIGNER (0.7 / 0.3 / 0.3) */
  assigner?: MaxIouAssignerOptions;
  /** @default RPN_SAMPLER (256, 0.5) */
  sampler?: RandomSamplerOptions;
  /** @default RPN_CODER (means 0, stds 1) */
  coder?: DeltaCoderOptions;
}

/** Dense targets for a batch, image-major: image b's anchors (all levels, finest first) then image b + 1's. */
export interface RpnTargets {
  /** [B·N] 1 for sampled positives, else 0. */
  labels: Float32Array;
  /** [B·N] 1 for sampled anchors, else 0. */
  labelWeights: Float32Array;
  /** [B·N·4] encoded deltas of positives, else 0. */
  bboxTargets: Float32Array;
  /** [B·N·4] 1 on positives, else 0. */
  bboxWeights: Float32Array;
  /** Anchors per image (N). */
  anchorCount: number;
  /** Σ_images max(#pos, 1) + max(#neg, 1). */
  avgFactor: number;
  /** Sampled positives and negatives per image. */
  positives: number[];
  negatives: number[];
}

/**
 * Targets for every image of a batch. `anchors` is the flat xyxy array of all levels (concatLevels), the
 * same for every image; `gtBoxes[b]` is image b's flat xyxy GT array (crowd/ignored boxes excluded).
 */
export function rpnTargets(
  anchors: Float32Array,
  gtBoxes: readonly Float32Array[],
  rng: UniformRng,
  options: RpnTargetOptions = {},
): RpnTargets {
  const assigner = options.assigner ?? RPN_ASSIGNER;
  const sampler = options.sampler ?? RPN_SAMPLER;
  const coder = options.coder ?? RPN_CODER;
  const n = boxCount(anchors, 'anchors');
  const batch = gtBoxes.length;
  const targets: RpnTargets = {
    labels: new Float32Array(batch * n),
    labelWeights: new Float32Array(batch * n),
    bboxTargets: new Float32Array(batch * n * 4),
    bboxWeights: new Float32Array(batch * n * 4),
    anchorCount: n,
    avgFactor: 0,
    positives: [],
    negatives: [],
  };
  gtBoxes.forEach((gt, b) => {
    boxCount(gt, `gtBoxes[${b}]`);
    const assignment = assignMaxIou(anchors, gt, assigner);
    const sample = sampleRandom(anchors, gt, assignment, sampler, rng);
    const base = b * n;
    for (const i of sample.negatives) targets.labelWeights[base + i] = 1;
    const deltas = encodeDeltaRows(
      gatherBoxes(anchors, sample.positives),
      gatherBoxes(gt, sample.positiveGt),
      coder,
    );
    sample.positives.forEach((i, k) => {
      targets.labels[base + i] = 1;
      targets.labelWeights[base + i] = 1;
      targets.bboxTargets.set(deltas.subarray(4 * k, 4 * k + 4), 4 * (base + i));
      targets.bboxWeights.fill(1, 4 * (base + i), 4 * (base + i) + 4);
    });
    targets.positives.push(sample.positives.length);
    targets.negatives.push(sample.negatives.length);
    targets.avgFactor += Math.max(sample.positives.length, 1) + Math.max(sample.negatives.length, 1);
  });
  return targets;
}
