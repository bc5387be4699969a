// One image through a stage's per-image pipeline, every random draw from the generator passed in (seeded per
// image by the loader, so the result is a pure function of (seed, epoch, rank, position)).
// Stage 1 load pipeline (spec 1.3): Resize(img_scale, ratio_range, keep_ratio) -> RandomCrop(absolute_range,
// crop, recompute_bbox, allow_negative_crop) -> FilterAnnotations(min_gt_bbox_wh) -> RandomFlip -> Pad(crop).
// Standard pipeline (spec 1.4): Resize(one of the (long, short) scales, keep_ratio) -> RandomFlip; the batch
// is padded to the size divisor after normalising (collate.ts). Draw order: ratio, crop y, crop x, flip
// (stage 1); scale index, flip (standard).
import type { LvisAnnotation, LvisImage } from '../../common/index.js';
import type { SeededRandom } from '../../common/index.js';
import { rescaleSize } from '../model/index.js';
import { usableAnnotations } from './annotations.js';
import { SegmentationError } from './errors.js';
import {
  boxesFromMasks,
  flipAnnotated,
  nonEmptyBoxes,
  padAnnotated,
  resizeAnnotated,
  resizeBoxes,
  selectInstances,
  type AnnotatedImage,
} from './geometry.js';
import { compactMask } from './instance-mask.js';
import { segmentationMask } from './masks.js';
import type { RepresentationPipeline, StandardPipeline } from './pipeline-options.js';
import type { RgbImage } from './resize.js';

/** An image's decoded pixels with its usable annotations as boxes, labels and (when asked) masks. */
export function annotate(
  image: LvisImage,
  annotations: readonly LvisAnnotation[],
  pixels: RgbImage,
  labels: ReadonlyMap<number, number>,
  withMasks: boolean,
): AnnotatedImage {
  const usable = usableAnnotations(image, annotations, labels);
  const sample: AnnotatedImage = { image: pixels, boxes: usable.boxes, labels: usable.labels };
  if (withMasks) {
    sample.masks = usable.annotations.map((annotation) => {
      const field = `annotation ${annotation.id}.segmentation`;
      if (annotation.segmentation === undefined) {
        throw new SegmentationError(
          field,
          'missing: stage 1 needs masks (prepare the shards with segmentation kept)',
        );
      }
      const full = segmentationMask(annotation.segmentation, pixels.height, pixels.width, field);
      return compactMask(full, pixels.width, pixels.height);
    });
  }
  return sample;
}

/** Stage 1's load pipeline; undefined when no instance survives the crop (mmdet draws another image). */
export function representationLoad(
  sample: AnnotatedImage,
  random: SeededRandom,
  pipeline: RepresentationPipeline,
): AnnotatedImage | undefined {
  const [lo, hi] = pipeline.ratioRange;
  const scale = Math.floor(pipeline.imgScale * random.real(lo, hi));
  const size = rescaleSize(sample.image.width, sample.image.height, [scale, scale]);
  const cropHeight = Math.min(size.height, pipeline.cropSize);
  const cropWidth = Math.min(size.width, pipeline.cropSize);
  const y = random.int(0, size.height - cropHeight);
  const x = random.int(0, size.width - cropWidth);
  const window = { x, y, width: cropWidth, height: cropHeight };
  // Instances whose (scaled, clipped, shifted) box is empty in the crop go before their masks are resized.
  const { width, height } = sample.image;
  const inCrop = resizeBoxes(sample.boxes, width, height, size.width, size.height, window);
  const kept = selectInstances(sample, nonEmptyBoxes(inCrop));
  const cropped = resizeAnnotated(kept, size.width, size.height, window);
  const recomputed = { ...cropped, boxes: boxesFromMasks(cropped.masks ?? []) };
  const filtered = selectInstances(recomputed, nonEmptyBoxes(recomputed.boxes, pipeline.minBoxSize));
  const flip = random.next() < pipeline.flipRatio;
  if (filtered.labels.length === 0) return undefined;
  return padAnnotated(flip ? flipAnnotated(filtered) : filtered, pipeline.cropSize, pipeline.cropSize);
}

/** The standard multi-scale pipeline (stage 2, baseline; test with one scale and flip ratio 0). */
export function standardTransform(
  sample: AnnotatedImage,
  random: SeededRandom,
  pipeline: StandardPipeline,
): AnnotatedImage {
  const scale = pipeline.scales[random.int(0, pipeline.scales.length - 1)]!;
  const size = rescaleSize(sample.image.width, sample.image.height, scale);
  const resized = resizeAnnotated(sample, size.width, size.height);
  return random.next() < pipeline.flipRatio ? flipAnnotated(resized) : resized;
}
