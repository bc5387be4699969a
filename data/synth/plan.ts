// The whole dataset as data, before any pixel: which categories each image shows, how many instances, where,
// and which categories are verified absent (neg_category_ids) or not exhaustively annotated. Pure and
// deterministic: rendering and writing (render.ts, write.ts) only follow this plan.
import { synthCategoryLook, type SynthCategoryLook } from './catalogue.js';
import { planCategoryImageCounts } from './frequency.js';
import { layoutObjects, type ObjectRequest, type PlannedObject } from './layout.js';
import { resolveSynthOptions, type ResolvedSynthOptions, type SynthOptions } from './options.js';
import { SeededRandom } from '../../common/index.js';

export type SynthSplit = 'train' | 'val';

export interface PlannedImage {
  id: number;
  split: SynthSplit;
  width: number;
  height: number;
  /** Background colour and the seed of its per-pixel noise. */
  background: { rgb: [number, number, number]; noiseSeed: number };
  objects: PlannedObject[];
  negCategoryIds: number[];
  notExhaustiveCategoryIds: number[];
}

export interface SynthPlan {
  options: ResolvedSynthOptions;
  categories: SynthCategoryLook[];
  train: PlannedImage[];
  val: PlannedImage[];
}

/** Probability that an image gets an unannotated extra instance of one of its categories. */
const notExhaustiveRate = 0.12;
/** Probability of a second instance of a category in an image. */
const secondInstanceRate = 0.25;
const maxNegativesPerImage = 4;

/** Spreads each category over `count` distinct train images, always filling the least-loaded images first. */
function assignTrainCategories(counts: readonly number[], images: number, random: SeededRandom): number[][] {
  const perImage: number[][] = Array.from({ length: images }, () => []);
  // levels[k]: images holding k categories. Taking from the lowest level keeps loads within one of each other.
  const levels: number[][] = [Array.from({ length: images }, (_, i) => i)];
  const order = counts.map((_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
  for (const categoryIndex of order) {
    let needed = counts[categoryIndex]!;
    const chosen: number[] = [];
    for (let level = 0; needed > 0 && level < levels.length; level++) {
      const pool = levels[level]!;
      const taken = pool.length <= needed ? pool.splice(0) : takeRandom(pool, needed, random);
      chosen.push(...taken);
      needed -= taken.length;
    }
    for (const image of chosen) {
      perImage[image]!.push(categoryIndex + 1);
      const load = perImage[image]!.length;
      (levels[load] ??= []).push(image);
    }
  }
  return perImage;
}

/** Removes and returns `count` random members of `pool` (order of the rest is not kept). */
function takeRandom(pool: number[], count: number, random: SeededRandom): number[] {
  for (let i = 0; i < count; i++) {
    const j = random.int(i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.splice(0, count);
}

/** Val categories: drawn with weight sqrt(train images), so the tail shows up more than in proportion. */
function drawValCategories(counts: readonly number[], wanted: number, random: SeededRandom): number[] {
  const weights = counts.map((count) => Math.sqrt(count));
  const chosen: number[] = [];
  for (let n = 0; n < Math.min(wanted, counts.length); n++) {
    const total = weights.reduce((a, b) => a + b, 0);
    let draw = random.next() * total;
    let index = weights.findIndex((weight) => (draw -= weight) < 0);
    if (index < 0) index = weights.findLastIndex((weight) => weight > 0);
    chosen.push(index + 1);
    weights[index] = 0;
  }
  return chosen;
}

function planImage(
  id: number,
  split: SynthSplit,
  categoryIds: readonly number[],
  options: ResolvedSynthOptions,
  random: SeededRandom,
): PlannedImage {
  const width = random.int(options.minImageSize, options.maxImageSize);
  const height = random.int(options.minImageSize, options.maxImageSize);
  const grey = random.int(95, 165);
  const tint = () => grey + random.int(-12, 12);
  const rgb: [number, number, number] = [tint(), tint(), tint()];
  const requests: ObjectRequest[] = [];
  for (const categoryId of categoryIds) {
    requests.push({ categoryId, annotated: true });
    if (random.next() < secondInstanceRate) requests.push({ categoryId, annotated: true });
  }
  const notExhaustive: number[] = [];
  if (categoryIds.length > 0 && random.next() < notExhaustiveRate) {
    const categoryId = random.pick(categoryIds);
    requests.push({ categoryId, annotated: false });
    notExhaustive.push(categoryId);
  }
  const objects = layoutObjects(requests, width, height, random);
  const present = new Set(categoryIds);
  const absent: number[] = [];
  for (let categoryId = 1; categoryId <= options.categories; categoryId++) {
    if (!present.has(categoryId)) absent.push(categoryId);
  }
  const negatives = random.sample(absent, random.int(0, maxNegativesPerImage)).sort((a, b) => a - b);
  return {
    id,
    split,
    width,
    height,
    background: { rgb, noiseSeed: random.int(0, 0x7fff_ffff) },
    objects,
    negCategoryIds: negatives,
    // Only if the extra instance was drawn (layout may drop it when the image is full).
    notExhaustiveCategoryIds: notExhaustive.filter((categoryId) =>
      objects.some((object) => !object.annotated && object.categoryId === categoryId),
    ),
  };
}

/** Plans a dataset; throws a SynthOptionsError for options that cannot be met. */
export function planSynthDataset(input: SynthOptions): SynthPlan {
  const options = resolveSynthOptions(input);
  const counts = planCategoryImageCounts(
    options.categories,
    options.trainImages,
    options.maxCategoriesPerImage,
    SeededRandom.derive(options.seed, 'category-counts'),
  );
  const trainCategories = assignTrainCategories(
    counts,
    options.trainImages,
    SeededRandom.derive(options.seed, 'assign'),
  );
  const train = trainCategories.map((categoryIds, index) =>
    planImage(index + 1, 'train', categoryIds, options, SeededRandom.derive(options.seed, 'train', index)),
  );
  const val = Array.from({ length: options.valImages }, (_, index) => {
    const random = SeededRandom.derive(options.seed, 'val', index);
    const categoryIds = drawValCategories(counts, random.int(1, options.maxCategoriesPerImage), random);
    return planImage(options.trainImages + index + 1, 'val', categoryIds, options, random);
  });
  const categories = Array.from({ length: options.categories }, (_, i) => synthCategoryLook(i + 1));
  return { options, categories, train, val };
}
