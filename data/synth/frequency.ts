// How many train images each category appears in: a long tail that lands in LVIS's frequency groups
// (r: 1-10 images, c: 11-100, f: >100), with every group that the train size allows present.
import { SynthOptionsError } from './errors.js';
import type { SeededRandom } from '../../common/index.js';

type Group = 'r' | 'c' | 'f';

/** LVIS v1's split of its 1203 categories (337 / 461 / 405), the shape we imitate. */
const lvisV1Share: Record<Group, number> = { r: 337, c: 461, f: 405 };

function groupRange(group: Group, trainImages: number): [number, number] {
  if (group === 'r') return [1, Math.min(10, trainImages)];
  if (group === 'c') return [11, Math.min(100, trainImages)];
  // The head: up to half the images, so the most frequent categories are not in every picture.
  return [101, Math.max(101, Math.floor(trainImages / 2))];
}

/** `count` values spaced evenly in log space from `high` down to `low` (a power law inside the group). */
function logSpaced(count: number, low: number, high: number): number[] {
  if (count === 1) return [Math.round(Math.sqrt(low * high))];
  return Array.from({ length: count }, (_, i) =>
    Math.round(Math.exp(Math.log(high) + ((Math.log(low) - Math.log(high)) * i) / (count - 1))),
  );
}

/** Categories per group in proportion to LVIS v1, at least one in each group the train size allows. */
function groupSizes(categories: number, groups: readonly Group[]): Record<Group, number> {
  const sizes: Record<Group, number> = { r: 0, c: 0, f: 0 };
  const total = groups.reduce((sum, group) => sum + lvisV1Share[group], 0);
  for (const group of groups) sizes[group] = Math.floor((categories * lvisV1Share[group]) / total);
  let left = categories - groups.reduce((sum, group) => sum + sizes[group], 0);
  for (const group of groups) {
    if (sizes[group] === 0 && left > 0) {
      sizes[group] = 1;
      left -= 1;
    }
  }
  sizes.r += left;
  // Small category counts: take from the largest group so every allowed group keeps one category.
  for (const group of groups) {
    while (sizes[group] === 0) {
      const largest = groups.reduce((a, b) => (sizes[a] >= sizes[b] ? a : b));
      sizes[largest] -= 1;
      sizes[group] += 1;
    }
  }
  return sizes;
}

function countsFor(sizes: Record<Group, number>, trainImages: number): number[] {
  return (['f', 'c', 'r'] as const).flatMap((group) => {
    if (sizes[group] === 0) return [];
    const [low, high] = groupRange(group, trainImages);
    return logSpaced(sizes[group], low, high);
  });
}

/**
 * Train-image counts for categories 1..`categories`, in a seeded random order of categories. The total is
 * kept within `trainImages * maxCategoriesPerImage` by moving categories down the tail (f to c, then c to r),
 * never removing a group.
 */
export function planCategoryImageCounts(
  categories: number,
  trainImages: number,
  maxCategoriesPerImage: number,
  random: SeededRandom,
): number[] {
  const groups: Group[] = ['r'];
  if (trainImages > 10 && categories >= 2) groups.push('c');
  if (trainImages > 100 && categories >= 3) groups.push('f');
  const sizes = groupSizes(categories, groups);
  const capacity = trainImages * maxCategoriesPerImage;
  let counts = countsFor(sizes, trainImages);
  const sum = () => counts.reduce((a, b) => a + b, 0);
  while (sum() > capacity && (sizes.f > 1 || sizes.c > 1)) {
    if (sizes.f > 1) {
      sizes.f -= 1;
      sizes.c += 1;
    } else {
      sizes.c -= 1;
      sizes.r += 1;
    }
    counts = countsFor(sizes, trainImages);
  }
  if (sum() > capacity) {
    throw new SynthOptionsError(
      'categories',
      `${categories} categories need at least ${sum()} category-image pairs, but ${trainImages} train images ` +
        `hold at most ${capacity}`,
      'use more --train-images or fewer --categories',
    );
  }
  return random.shuffle(counts);
}
