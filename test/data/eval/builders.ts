// Small builders for LVIS ground truth and detections in tests: plain JSON values, as a file would hold them.
import { seededRng } from '../../../common/internal.js';

export interface TestImage {
  id: number;
  height: number;
  width: number;
  neg_category_ids: number[];
  not_exhaustive_category_ids: number[];
  coco_url: string;
}

export interface TestAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: number[];
  area: number;
  ignore?: number;
  iscrowd?: number;
}

export interface TestCategory {
  id: number;
  name: string;
  frequency: 'r' | 'c' | 'f';
  image_count: number;
  instance_count: number;
}

export interface TestGroundTruth {
  images: TestImage[];
  annotations: TestAnnotation[];
  categories: TestCategory[];
}

export interface TestDetection {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

export function image(id: number, neg: number[] = [], notExhaustive: number[] = []): TestImage {
  return {
    id,
    height: 480,
    width: 640,
    neg_category_ids: neg,
    not_exhaustive_category_ids: notExhaustive,
    coco_url: `http://images.cocodataset.org/val2017/${String(id).padStart(12, '0')}.jpg`,
  };
}

export function category(id: number, frequency: 'r' | 'c' | 'f'): TestCategory {
  return { id, name: `category-${id}`, frequency, image_count: 0, instance_count: 0 };
}

/** The spec's micro-fixture categories: ids 1-4 with frequencies r, c, f, c. */
export function microCategories(): TestCategory[] {
  return [category(1, 'r'), category(2, 'c'), category(3, 'f'), category(4, 'c')];
}

/** A ground-truth box with area = w * h unless given. */
export function annotation(
  id: number,
  imageId: number,
  categoryId: number,
  bbox: number[],
  extra: Partial<TestAnnotation> = {},
): TestAnnotation {
  return { id, image_id: imageId, category_id: categoryId, bbox, area: bbox[2]! * bbox[3]!, ...extra };
}

export function detection(imageId: number, categoryId: number, bbox: number[], score: number): TestDetection {
  return { image_id: imageId, category_id: categoryId, bbox, score };
}

/** mulberry32 (common/random.ts), so every generated case is the same on every run. */
export function seededRandom(seed: number): () => number {
  return seededRng(seed);
}
