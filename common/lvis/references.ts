// Cross-record checks that a schema cannot express: unique ids, and annotations that point at images and
// categories of the same file. The official package silently drops (or overwrites) such records; bacl refuses
// them, because a dataset with them would evaluate to different numbers than its author expects.
import { LvisReferenceError } from './errors.js';
import type { LvisGroundTruth } from './schema.js';

function indexById(records: ReadonlyArray<{ id: number }>, file: string, key: string): Map<number, number> {
  const index = new Map<number, number>();
  records.forEach((record, i) => {
    const earlier = index.get(record.id);
    if (earlier !== undefined) {
      throw new LvisReferenceError(
        { file, jsonPath: `${key}[${i}].id` },
        `id ${record.id} is also the id of ${key}[${earlier}]`,
        `Give every entry of ${key} its own id.`,
      );
    }
    index.set(record.id, i);
  });
  return index;
}

/** Throws an LvisReferenceError for the first duplicate id or dangling reference in `gt`. */
export function checkLvisReferences(gt: LvisGroundTruth, file: string): void {
  const images = indexById(gt.images, file, 'images');
  const categories = indexById(gt.categories, file, 'categories');
  indexById(gt.annotations, file, 'annotations');
  gt.annotations.forEach((annotation, i) => {
    if (!images.has(annotation.image_id)) {
      throw new LvisReferenceError(
        { file, jsonPath: `annotations[${i}].image_id` },
        `image ${annotation.image_id} is not in images`,
        'Add the image to images or remove its annotations.',
      );
    }
    if (!categories.has(annotation.category_id)) {
      throw new LvisReferenceError(
        { file, jsonPath: `annotations[${i}].category_id` },
        `category ${annotation.category_id} is not in categories`,
        'Add the category to categories or remove its annotations.',
      );
    }
  });
}
