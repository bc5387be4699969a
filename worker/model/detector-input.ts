// Images and their GT boxes → a DetectorBatch (mmdet's test/standard pipeline, spec 1.4 and 5): resize with
// keep ratio to fit a (long, short) scale, scale the boxes by (w_scale, h_scale), normalise (ImageNet mean and
// std, RGB), pad bottom-right with zeros to a multiple of `sizeDivisor` and to the batch's largest image.
import * as tf from '@tensorflow/tfjs';
import { normalizeImages } from './backbone/index.js';
import { DetectorInputError, DetectorOptionError } from './detector-errors.js';
import type { DetectorBatch } from './detector-step.js';
import type { TestImage } from './inference/index.js';

/** One decoded image (packed RGB, row-major, 0-255) and its annotations in original pixels. */
export interface SourceImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** Flat xyxy. */
  gtBoxes: Float32Array;
  /** Classes in [0, C). */
  gtLabels: Int32Array;
}

export interface RescaledSize {
  width: number;
  height: number;
  /** (w_scale, h_scale) = new / original per axis (mmdet `scale_factor`). */
  scaleFactor: [number, number];
}

/** mmcv `rescale_size` with keep ratio: the largest factor that fits the long and the short side. */
export function rescaleSize(width: number, height: number, scale: readonly [number, number]): RescaledSize {
  const [long, short] = [Math.max(...scale), Math.min(...scale)];
  const factor = Math.min(long / Math.max(width, height), short / Math.min(width, height));
  const newWidth = Math.floor(width * factor + 0.5);
  const newHeight = Math.floor(height * factor + 0.5);
  return { width: newWidth, height: newHeight, scaleFactor: [newWidth / width, newHeight / height] };
}

export interface BatchOptions {
  /** (long, short) sides. */
  scale: readonly [number, number];
  /** @default 32 */
  sizeDivisor?: number;
}

/** The network batch plus what inference needs to map detections back (TestImage per image). */
export interface PreparedBatch extends DetectorBatch {
  testImages: TestImage[];
}

const roundUp = (value: number, divisor: number) => Math.ceil(value / divisor) * divisor;

export function prepareBatch(images: readonly SourceImage[], options: BatchOptions): PreparedBatch {
  const divisor = options.sizeDivisor ?? 32;
  if (!Number.isInteger(divisor) || divisor < 1) {
    throw new DetectorOptionError('sizeDivisor', divisor, 'must be a positive integer');
  }
  if (images.length === 0) throw new DetectorInputError('images', [0], 'at least one image');
  images.forEach((image, i) => {
    if (image.data.length !== image.width * image.height * 3) {
      throw new DetectorInputError(
        `images[${i}].data`,
        [image.data.length],
        `[${image.width * image.height * 3}]`,
      );
    }
    if (image.gtBoxes.length !== 4 * image.gtLabels.length) {
      throw new DetectorInputError(
        `images[${i}].gtBoxes`,
        [image.gtBoxes.length],
        `[4 x ${image.gtLabels.length}]`,
      );
    }
  });
  const sizes = images.map((image) => rescaleSize(image.width, image.height, options.scale));
  const padHeight = roundUp(Math.max(...sizes.map((s) => s.height)), divisor);
  const padWidth = roundUp(Math.max(...sizes.map((s) => s.width)), divisor);
  const tensor = tf.tidy(() => {
    const padded = images.map((image, i) => {
      const size = sizes[i] as RescaledSize;
      const pixels = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32').toFloat();
      // cv2.resize INTER_LINEAR samples at half-pixel centres, as halfPixelCenters does.
      const resized = tf.image.resizeBilinear(pixels, [size.height, size.width], false, true);
      const normalised = normalizeImages(resized);
      return tf.pad(normalised, [
        [0, 0],
        [0, padHeight - size.height],
        [0, padWidth - size.width],
        [0, 0],
      ]);
    });
    return tf.concat(padded, 0);
  });
  return {
    images: tensor,
    imageSizes: sizes.map((s) => ({ height: s.height, width: s.width })),
    gtBoxes: images.map((image, i) => {
      const [ws, hs] = (sizes[i] as RescaledSize).scaleFactor;
      return image.gtBoxes.map((value, k) => value * (k % 2 === 0 ? ws : hs));
    }),
    gtLabels: images.map((image) => image.gtLabels),
    testImages: sizes.map((s) => ({
      imageShape: { height: s.height, width: s.width },
      scaleFactor: s.scaleFactor,
    })),
  };
}
