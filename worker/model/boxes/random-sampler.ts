// mmdet 2.8's `RandomSampler` (spec 1.2: RPN 256 per image at 50 % positive; RoI head 512 at 25 % with the GT
// boxes added as proposals; neg_pos_ub −1 in both). Pure JS; the randomness comes from the caller's seeded
// generator, never Math.random.
//
// As the reference: GTs (if added) go in front of the candidates and count as positives of themselves
// (`AssignResult.add_gt_`); positives are drawn first, at most num·pos_fraction (floored); negatives fill
// the rest up to num, at most neg_pos_ub·max(1, #pos) when neg_pos_ub >= 0. Fewer candidates than wanted
// means all of them are taken. Both index lists come out ascending, as torch's `unique()` returns them.
import { assertOptionInRange, BoxOptionError, BoxShapeError, boxCount } from './errors.js';
import type { Assignment } from './max-iou-assigner.js';
import type { UniformRng } from '../../../common/index.js';

export interface RandomSamplerOptions {
  /** Boxes sampled per image. */
  num: number;
  /** Upper share of positives. */
  posFraction: number;
  /** Negatives at most this many times the positives; −1 for no bound. @default -1 */
  negPosUpperBound?: number;
  /** Put the GT boxes in front of the candidates, as positives of themselves. @default false */
  addGtAsProposals?: boolean;
}

export const RPN_SAMPLER: Readonly<RandomSamplerOptions> = Object.freeze({ num: 256, posFraction: 0.5 });

export const ROI_SAMPLER: Readonly<RandomSamplerOptions> = Object.freeze({
  num: 512,
  posFraction: 0.25,
  addGtAsProposals: true,
});

/** The sampled boxes of one image (mmdet `SamplingResult`). */
export interface Sample {
  /** The candidates the indices refer to: the GTs then the boxes with addGtAsProposals, else the boxes. */
  candidates: Float32Array;
  /** Ascending indices of the sampled positives into `candidates`. */
  positives: Int32Array;
  /** Ascending indices of the sampled negatives into `candidates`. */
  negatives: Int32Array;
  /** Per positive: its GT (0-based). */
  positiveGt: Int32Array;
  /** Per positive: whether it is a GT box added as a proposal. */
  positiveIsGt: Uint8Array;
  /** Per positive: its GT's label, when the assignment carried labels. */
  positiveLabels?: Int32Array;
}

/** Samples positives and negatives of one image from its assignment. */
export function sampleRandom(
  boxes: Float32Array,
  gtBoxes: Float32Array,
  assignment: Assignment,
  options: RandomSamplerOptions,
  rng: UniformRng,
  gtLabels?: Int32Array,
): Sample {
  const { num, posFraction } = options;
  const negPosUpperBound = options.negPosUpperBound ?? -1;
  if (!Number.isInteger(num) || num < 1) throw new BoxOptionError('num', num, 'must be a positive integer');
  assertOptionInRange('posFraction', posFraction, 0, 1);
  const boxTotal = boxCount(boxes, 'boxes');
  const gtCount = boxCount(gtBoxes, 'gtBoxes');
  if (assignment.gtIndex.length !== boxTotal || assignment.gtCount !== gtCount) {
    throw new BoxShapeError(
      'assignment.gtIndex',
      [assignment.gtIndex.length],
      `[${boxTotal}] for ${gtCount} GTs (the assignment of these boxes)`,
    );
  }
  const addGt = (options.addGtAsProposals ?? false) && gtCount > 0;
  const offset = addGt ? gtCount : 0;
  const candidates = addGt ? new Float32Array(4 * (gtCount + boxTotal)) : boxes;
  if (addGt) {
    candidates.set(gtBoxes, 0);
    candidates.set(boxes, 4 * gtCount);
  }
  // Assigned GT per candidate (k + 1 positive, 0 negative, −1 ignored), the GTs first when added.
  const assignedAt = (c: number): number => (c < offset ? c + 1 : (assignment.gtIndex[c - offset] ?? -1));
  const total = offset + boxTotal;

  // Two counting passes into typed arrays: the RPN's pools hold ~270k anchors per image.
  let positiveCount = 0;
  let negativeCount = 0;
  for (let c = 0; c < total; c++) {
    const assigned = assignedAt(c);
    if (assigned > 0) positiveCount++;
    else if (assigned === 0) negativeCount++;
  }
  const positivePool = new Int32Array(positiveCount);
  const negativePool = new Int32Array(negativeCount);
  positiveCount = 0;
  negativeCount = 0;
  for (let c = 0; c < total; c++) {
    const assigned = assignedAt(c);
    if (assigned > 0) positivePool[positiveCount++] = c;
    else if (assigned === 0) negativePool[negativeCount++] = c;
  }
  const positives = choose(positivePool, Math.floor(num * posFraction), rng);
  let wantedNegatives = num - positives.length;
  if (negPosUpperBound >= 0) {
    wantedNegatives = Math.min(wantedNegatives, Math.floor(negPosUpperBound * Math.max(1, positives.length)));
  }
  const negatives = choose(negativePool, wantedNegatives, rng);

  const positiveGt = positives.map((c) => assignedAt(c) - 1);
  const sample: Sample = {
    candidates,
    positives,
    negatives,
    positiveGt,
    positiveIsGt: Uint8Array.from(positives, (c) => (c < offset ? 1 : 0)),
  };
  if (gtLabels !== undefined) {
    if (gtLabels.length !== gtCount) {
      throw new BoxShapeError('gtLabels', [gtLabels.length], `[${gtCount}] (one label per GT box)`);
    }
    sample.positiveLabels = positiveGt.map((g) => gtLabels[g] ?? -1);
  }
  return sample;
}

/**
 * `wanted` distinct members of `pool` drawn uniformly (a partial Fisher-Yates shuffle, the analogue of
 * torch.randperm(n)[:wanted]), returned ascending; all of `pool` when it has no more than `wanted`.
 */
function choose(pool: Int32Array, wanted: number, rng: UniformRng): Int32Array {
  const n = pool.length;
  if (n <= wanted) return pool;
  const take = Math.max(0, wanted);
  for (let i = 0; i < take; i++) {
    const j = i + Math.min(n - i - 1, Math.floor(rng() * (n - i)));
    const swap = pool[i] ?? 0;
    pool[i] = pool[j] ?? 0;
    pool[j] = swap;
  }
  return pool.slice(0, take).sort();
}

/** The rows `indices` of a flat xyxy array, as a new flat array. */
export function gatherBoxes(boxes: Float32Array, indices: Int32Array): Float32Array {
  const out = new Float32Array(4 * indices.length);
  indices.forEach((index, k) => out.set(boxes.subarray(4 * index, 4 * index + 4), 4 * k));
  return out;
}
