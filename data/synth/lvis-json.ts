// The plan as LVIS v1 ground truth: one file per split, frequency groups taken from the train split (as in
// LVIS, every split's file carries the train group), image_count and instance_count counted within the file.
import { lvisFrequencyForImageCount, type LvisGroundTruth } from '../../common/index.js';
import type { PlannedImage, SynthPlan, SynthSplit } from './plan.js';

/** Where an image lives relative to the images root: `train2017/000000000001.jpg`, as COCO names them. */
export function synthImagePath(image: Pick<PlannedImage, 'id' | 'split'>): string {
  return `${image.split}2017/${String(image.id).padStart(12, '0')}.jpg`;
}

/** A `.invalid` host (RFC 2606): the last two path segments locate the file, as for real LVIS v1 coco_url. */
const urlBase = 'http://synthetic.invalid/';
const dateCaptured = '2026-01-01 00:00:00';

function countsPerCategory(
  images: readonly PlannedImage[],
): Map<number, { images: number; instances: number }> {
  const counts = new Map<number, { images: number; instances: number }>();
  for (const image of images) {
    const seen = new Set<number>();
    for (const object of image.objects) {
      if (!object.annotated) continue;
      const entry = counts.get(object.categoryId) ?? { images: 0, instances: 0 };
      entry.instances += 1;
      if (!seen.has(object.categoryId)) entry.images += 1;
      seen.add(object.categoryId);
      counts.set(object.categoryId, entry);
    }
  }
  return counts;
}

/** LVIS v1 ground truth for one split of the plan; annotation ids continue from `firstAnnotationId`. */
export function synthGroundTruth(plan: SynthPlan, split: SynthSplit, firstAnnotationId = 1): LvisGroundTruth {
  const images = plan[split];
  const trainCounts = countsPerCategory(plan.train);
  const fileCounts = countsPerCategory(images);
  let annotationId = firstAnnotationId;
  return {
    info: {
      description: 'bacl synthetic long-tailed detection dataset (LVIS v1 format)',
      version: '1.0',
      year: 2026,
      contributor: 'baclctl data synth',
      date_created: dateCaptured,
      seed: plan.options.seed,
      split,
    },
    licenses: [{ id: 1, name: 'CC0 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/' }],
    images: images.map((image) => ({
      id: image.id,
      width: image.width,
      height: image.height,
      coco_url: urlBase + synthImagePath(image),
      license: 1,
      date_captured: dateCaptured,
      neg_category_ids: image.negCategoryIds,
      not_exhaustive_category_ids: image.notExhaustiveCategoryIds,
    })),
    annotations: images.flatMap((image) =>
      image.objects
        .filter((object) => object.annotated)
        .map((object) => ({
          id: annotationId++,
          image_id: image.id,
          category_id: object.categoryId,
          bbox: object.bbox,
          area: object.area,
          segmentation: [object.polygon.flat()],
        })),
    ),
    categories: plan.categories.map((look) => ({
      id: look.id,
      name: look.name,
      synset: `${look.name}.n.01`,
      synonyms: [look.name],
      def: `a ${look.colour.name} ${look.shape.name} with a ${look.texture} texture`,
      frequency: lvisFrequencyForImageCount(trainCounts.get(look.id)?.images ?? 0),
      image_count: fileCounts.get(look.id)?.images ?? 0,
      instance_count: fileCounts.get(look.id)?.instances ?? 0,
    })),
  };
}
