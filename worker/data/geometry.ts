// The geometric steps of the training pipelines on an annotated image (pixels, xyxy boxes, labels, optional
// masks): resize (optionally straight into a crop window, see resize.ts), keep or drop instances, flip and
// pad, each returning a new object. Box rules follow mmdet: Resize scales by (w_scale, h_scale) and clips to
// the new image; RandomCrop shifts, clips to the crop and keeps the boxes with x2 > x1 and y2 > y1;
// RandomFlip maps x1' = w - x2, x2' = w - x1.
import { flipInstanceMask, instanceMaskBox, resizeInstanceMask, type InstanceMask } from './instance-mask.js';
import { resizeBilinear, type RgbImage, type Window } from './resize.js';

export interface AnnotatedImage {
  image: RgbImage;
  /** Flat xyxy, in this image's pixels. */
  boxes: Float32Array;
  /** Classes in [0, C). */
  labels: Int32Array;
  /** One mask per instance (over its own extent, in this image's pixels), when the pipeline needs masks. */
  masks?: InstanceMask[];
  /**
   * mmdet `img_shape` when the pixels already hold padding (stage 1 pads to its canvas before normalising):
   * the part that is image. Absent: all of `image`.
   */
  imageShape?: { width: number; height: number };
}

/**
 * Boxes of an image of sourceWidth x sourceHeight resized to width x height: scaled, clipped to the resized
 * image, shifted by the window's offset and clipped to the window.
 */
export function resizeBoxes(
  boxes: Float32Array,
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
  window: Window = { x: 0, y: 0, width, height },
): Float32Array {
  const ws = width / sourceWidth;
  const hs = height / sourceHeight;
  const clip = (value: number, max: number) => Math.min(Math.max(value, 0), max);
  return boxes.map((value, i) =>
    i % 2 === 0
      ? clip(clip(value * ws, width) - window.x, window.width)
      : clip(clip(value * hs, height) - window.y, window.height),
  );
}

/** Resizes to width x height (the rescaled size) and keeps `window` of the result (all of it when absent). */
export function resizeAnnotated(
  sample: AnnotatedImage,
  width: number,
  height: number,
  window: Window = { x: 0, y: 0, width, height },
): AnnotatedImage {
  const { image } = sample;
  const boxes = resizeBoxes(sample.boxes, image.width, image.height, width, height, window);
  const masks = sample.masks?.map((mask) =>
    resizeInstanceMask(mask, image.width, image.height, width, height, window),
  );
  return { image: resizeBilinear(image, width, height, window), boxes, labels: sample.labels, masks };
}

/** The instances at `keep` (indices, in order). */
export function selectInstances(sample: AnnotatedImage, keep: readonly number[]): AnnotatedImage {
  const boxes = new Float32Array(4 * keep.length);
  keep.forEach((index, i) => boxes.set(sample.boxes.subarray(4 * index, 4 * index + 4), 4 * i));
  return {
    ...sample,
    boxes,
    labels: Int32Array.from(keep, (index) => sample.labels[index]!),
    masks: sample.masks && keep.map((index) => sample.masks![index]!),
  };
}

/** Indices of the boxes with positive width and height (mmdet RandomCrop's `valid_inds`). */
export function nonEmptyBoxes(boxes: Float32Array, minSize = 0): number[] {
  const keep: number[] = [];
  for (let i = 0; 4 * i < boxes.length; i++) {
    if (boxes[4 * i + 2]! - boxes[4 * i]! > minSize && boxes[4 * i + 3]! - boxes[4 * i + 1]! > minSize)
      keep.push(i);
  }
  return keep;
}

/** mmdet `recompute_bbox`: every box becomes its mask's extent (all zeros for an empty mask). */
export function boxesFromMasks(masks: readonly InstanceMask[]): Float32Array {
  const boxes = new Float32Array(4 * masks.length);
  masks.forEach((mask, i) => boxes.set(instanceMaskBox(mask), 4 * i));
  return boxes;
}

/** Horizontal flip of the pixels, boxes and masks. */
export function flipAnnotated(sample: AnnotatedImage): AnnotatedImage {
  const { width, height, data } = sample.image;
  const flipped = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (y * width + (width - 1 - x)) * 3;
      flipped[to] = data[from]!;
      flipped[to + 1] = data[from + 1]!;
      flipped[to + 2] = data[from + 2]!;
    }
  }
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = width - sample.boxes[i + 2]!;
    boxes[i + 1] = sample.boxes[i + 1]!;
    boxes[i + 2] = width - sample.boxes[i]!;
    boxes[i + 3] = sample.boxes[i + 3]!;
  }
  const masks = sample.masks?.map((mask) => flipInstanceMask(mask, width));
  return { image: { data: flipped, width, height }, boxes, labels: sample.labels, masks };
}

/** Zero padding at the bottom and right to width x height (mmdet Pad, before Normalize in stage 1). */
export function padAnnotated(sample: AnnotatedImage, width: number, height: number): AnnotatedImage {
  const { image } = sample;
  if (image.width > width || image.height > height) {
    throw new RangeError(`pad to ${width}x${height}: the image is already ${image.width}x${image.height}`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < image.height; y++) {
    data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), y * width * 3);
  }
  const imageShape = sample.imageShape ?? { width: image.width, height: image.height };
  return { ...sample, image: { data, width, height }, imageShape };
}
