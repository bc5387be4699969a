// Seeded random ground-truth/detection pairs in the shape of LVIS: long-tailed categories with r/c/f,
// federated neg / not-exhaustive lists, boxes of every size, jittered true positives, false positives on
// positive, negative and unrelated categories, score ties, duplicates, degenerate boxes, and images over the
// 300-detection cap.
import {
  category,
  detection,
  image,
  seededRandom,
  type TestAnnotation,
  type TestCategory,
  type TestDetection,
  type TestGroundTruth,
} from './builders.js';
import type { EvalCase } from './edge-cases.js';

export interface RandomCaseShape {
  images: number;
  categories: number;
  maxGtPerImage: number;
  /** Extra false positives per image (before the occasional flood over the cap). */
  falsePositivesPerImage: number;
  /** Frequencies in category order; random when absent. */
  frequencies?: ReadonlyArray<'r' | 'c' | 'f'>;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A box of a random size class (small, medium or large), sometimes exactly on a range bound. */
function randomBox(random: () => number): number[] {
  const bound = random();
  if (bound < 0.04) return [random() * 100, random() * 100, 32, 32];
  if (bound < 0.08) return [random() * 100, random() * 100, 96, 96];
  const side = () => Math.exp(Math.log(1) + random() * (Math.log(400) - Math.log(1)));
  return [random() * 500, random() * 400, side(), side()];
}

/** A copy of `box` moved and resized by up to `amount` of its size. */
function jitter(box: number[], amount: number, random: () => number): number[] {
  const [x, y, w, h] = box as [number, number, number, number];
  const move = () => (random() * 2 - 1) * amount;
  return [x + move() * w, y + move() * h, Math.max(0.5, w * (1 + move())), Math.max(0.5, h * (1 + move()))];
}

/** Scores on a coarse grid half of the time, so ties within and across images are common. */
function randomScore(random: () => number): number {
  return random() < 0.5 ? Math.round(random() * 20) / 20 : random();
}

export function randomCase(name: string, seed: number, shape: RandomCaseShape): EvalCase {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  // Non-contiguous category ids in shuffled order: the evaluator must sort them itself.
  const categoryIds = Array.from({ length: shape.categories }, (_, i) => i * 3 + 1 + (i % 2));
  const categories: TestCategory[] = shuffle(
    categoryIds.map((id, i) => category(id, shape.frequencies?.[i] ?? pick(['r', 'c', 'f'] as const))),
    random,
  );
  // Long tail: low indices are frequent.
  const tailCategory = () => categoryIds[Math.floor(shape.categories * random() ** 2.5)]!;
  const imageIds = shuffle(
    Array.from({ length: shape.images }, (_, i) => 1000 + i * 7),
    random,
  );
  const images = [];
  const annotations: TestAnnotation[] = [];
  const results: TestDetection[] = [];
  for (const imageId of imageIds) {
    const gtCount = Math.floor(random() * (shape.maxGtPerImage + 1));
    const positives = new Set<number>();
    for (let i = 0; i < gtCount; i++) {
      const categoryId = tailCategory();
      positives.add(categoryId);
      const bbox = randomBox(random);
      const maskArea = random() < 0.1 ? bbox[2]! * bbox[3]! : bbox[2]! * bbox[3]! * (0.5 + random() * 0.5);
      const area = random() < 0.03 ? 0 : maskArea;
      const extra = random() < 0.03 ? { ignore: 1 } : {};
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: categoryId,
        bbox,
        area,
        ...extra,
      });
      // A detector finds most objects, some twice, some badly placed.
      if (random() < 0.8)
        results.push(detection(imageId, categoryId, jitter(bbox, 0.15, random), randomScore(random)));
      if (random() < 0.15)
        results.push(detection(imageId, categoryId, jitter(bbox, 0.4, random), randomScore(random)));
    }
    const negatives = new Set<number>();
    for (let i = Math.floor(random() * 4); i > 0; i--) {
      const categoryId = pick(categoryIds);
      if (!positives.has(categoryId)) negatives.add(categoryId);
    }
    const notExhaustive = [...positives].filter(() => random() < 0.2);
    if (random() < 0.1) notExhaustive.push(pick(categoryIds));
    images.push(image(imageId, [...negatives], [...new Set(notExhaustive)]));
    const federated = [...positives, ...negatives];
    const falsePositives = random() < 0.08 ? 280 + Math.floor(random() * 60) : shape.falsePositivesPerImage;
    for (let i = 0; i < falsePositives; i++) {
      const onFederated = federated.length > 0 && random() < 0.7;
      const categoryId = onFederated ? pick(federated) : pick(categoryIds);
      const bbox = random() < 0.02 ? [random() * 100, random() * 100, 0, random() * 10] : randomBox(random);
      results.push(detection(imageId, categoryId, bbox, randomScore(random)));
    }
  }
  shuffle(annotations, random);
  // Either fully interleaved or grouped by image (each image's detections in random order).
  const order = shuffle([...results.keys()], random);
  if (random() < 0.5) order.sort((a, b) => results[a]!.image_id - results[b]!.image_id);
  const gt: TestGroundTruth = { images, annotations, categories };
  return { name, gt, results: order.map((i) => results[i]!) };
}

/** The category frequencies of LVIS v1: 337 rare, 461 common, 405 frequent (1203 in all). */
export function lvisV1Frequencies(): Array<'r' | 'c' | 'f'> {
  return [...Array<'f'>(405).fill('f'), ...Array<'c'>(461).fill('c'), ...Array<'r'>(337).fill('r')];
}

/** The category frequencies of LVIS v0.5: 454 rare, 461 common, 315 frequent (1230 in all). */
export function lvisV05Frequencies(): Array<'r' | 'c' | 'f'> {
  return [...Array<'f'>(315).fill('f'), ...Array<'c'>(461).fill('c'), ...Array<'r'>(454).fill('r')];
}

/** The same ground truth in v0.5's image shape: a COCO 2014 `file_name`, no `coco_url`. */
export function asV05(gt: TestGroundTruth): object {
  return {
    ...gt,
    images: gt.images.map(({ coco_url: _url, ...rest }) => ({
      ...rest,
      file_name: `COCO_val2014_${String(rest.id).padStart(12, '0')}.jpg`,
    })),
  };
}
