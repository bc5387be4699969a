// Which classes FHM hallucinates (spec 3.5, reference `sampling_classes`): K draws with replacement from
// π_c = (1 − a_c) / Σ_c' (1 − a_c') over all C foreground classes, a = diag(A) the FCBL soft accuracy. As in the
// reference, K sorted uniforms walk the cumulative distribution once, which is equivalent to K independent
// draws and returns the classes in ascending order.
import { assertPositiveInteger } from './validate.js';
import type { UniformRng } from '../../../common/index.js';

/** K, classes drawn per step and rank (`sampled_num_classes`). */
export const DEFAULT_SAMPLED_CLASSES = 8;

/**
 * Draws `count` classes from the soft accuracies `softAccuracy` (length C, from FcblState.softAccuracy()).
 * Returns fewer than `count` when rounding leaves the cumulative sum below a draw (as the reference does), and
 * none when every class has soft accuracy 1 (π is undefined; the reference's NaN comparisons select nothing).
 */
export function sampleHallucinationClasses(
  softAccuracy: ArrayLike<number>,
  count: number,
  rng: UniformRng,
): number[] {
  assertPositiveInteger('count', count);
  const misses = Array.from(softAccuracy, (accuracy) => 1 - accuracy);
  const total = misses.reduce((sum, miss) => sum + miss, 0);
  const draws = Array.from({ length: count }, () => rng()).sort((a, b) => a - b);
  const selected: number[] = [];
  if (!(total > 0)) return selected;
  let cumulative = 0;
  let next = 0;
  for (let c = 0; c < misses.length && next < draws.length; c++) {
    cumulative += (misses[c] ?? 0) / total;
    while (next < draws.length && (draws[next] ?? 1) <= cumulative) {
      selected.push(c);
      next++;
    }
  }
  return selected;
}
