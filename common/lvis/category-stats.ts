// Per-category statistics that the sampler (repeat-factor sampling) and the losses (FCBL's class-balanced
// terms) both need, counted from the annotations themselves rather than read from the file's declared
// image_count/instance_count, so a subset or a synthetic file gets true numbers.
import type { LvisAnnotation, LvisCategory, LvisFrequency } from './schema.js';

/**
 * LVIS's frequency group for a category seen in `imageCount` training images: r = 1-10, c = 11-100, f > 100.
 * (The comment in lvis-api's Params says "< 10 / < 100"; applying that to v1 train gives 26 mismatches with
 * the released labels, while these thresholds reproduce all 1203.) A category in no image counts as rare.
 */
export function lvisFrequencyForImageCount(imageCount: number): LvisFrequency {
  if (imageCount <= 10) return 'r';
  if (imageCount <= 100) return 'c';
  return 'f';
}

export interface LvisCategoryStat {
  id: number;
  /** Images with at least one annotation of the category. */
  imageCount: number;
  /** Annotations of the category. */
  instanceCount: number;
  /** From imageCount; meaningful when the statistics are taken over a train split. */
  frequency: LvisFrequency;
  /** What the file says (LVIS writes the train split's group into every split's file). */
  declaredFrequency: LvisFrequency;
}

export interface LvisCategoryStatistics {
  /** One entry per category, sorted by id (the order the evaluator and the classifier use). */
  categories: LvisCategoryStat[];
  /** Category ids per group, by counted frequency, ascending. */
  groups: Record<LvisFrequency, number[]>;
  /** Category ids per group as declared in the file, ascending (what the evaluator's APr/APc/APf use). */
  declaredGroups: Record<LvisFrequency, number[]>;
}

/** Counts images and instances per category over `annotations`. */
export function computeLvisCategoryStatistics(
  categories: readonly Pick<LvisCategory, 'id' | 'frequency'>[],
  annotations: readonly Pick<LvisAnnotation, 'image_id' | 'category_id'>[],
): LvisCategoryStatistics {
  const instances = new Map<number, number>();
  const images = new Map<number, Set<number>>();
  for (const annotation of annotations) {
    instances.set(annotation.category_id, (instances.get(annotation.category_id) ?? 0) + 1);
    let seen = images.get(annotation.category_id);
    if (seen === undefined) images.set(annotation.category_id, (seen = new Set()));
    seen.add(annotation.image_id);
  }
  const stats = [...categories]
    .sort((a, b) => a.id - b.id)
    .map((category): LvisCategoryStat => {
      const imageCount = images.get(category.id)?.size ?? 0;
      return {
        id: category.id,
        imageCount,
        instanceCount: instances.get(category.id) ?? 0,
        frequency: lvisFrequencyForImageCount(imageCount),
        declaredFrequency: category.frequency,
      };
    });
  const groups: Record<LvisFrequency, number[]> = { r: [], c: [], f: [] };
  const declaredGroups: Record<LvisFrequency, number[]> = { r: [], c: [], f: [] };
  for (const stat of stats) {
    groups[stat.frequency].push(stat.id);
    declaredGroups[stat.declaredFrequency].push(stat.id);
  }
  return { categories: stats, groups, declaredGroups };
}
