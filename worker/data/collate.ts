// A batch of pipeline outputs -> the network's DetectorBatch: each image normalised (ImageNet mean/std, RGB),
// then padded bottom-right with zeros to the batch's largest side rounded up to the size divisor (mmdet's
// Normalize -> Pad -> collate). Stage 1 images are already on their canvas (padded before normalising, as
// mmdet's stage-1 pipeline does), so only the divisor padding can apply to them. The tensors of the batch are
// the caller's to dispose (`batch.images.dispose()`).
import * as tf from '@tensorflow/tfjs';
import { normalizeImages } from '../model/backbone/index.js';
import type { DetectorBatch } from '../model/index.js';
import { DataOptionError } from './errors.js';
import type { AnnotatedImage } from './geometry.js';

const roundUp = (value: number, divisor: number) => Math.ceil(value / divisor) * divisor;

export function collateBatch(samples: readonly AnnotatedImage[], sizeDivisor: number): DetectorBatch {
  if (samples.length === 0) throw new DataOptionError('samples', 0, 'at least one image per batch');
  const height = roundUp(Math.max(...samples.map((s) => s.image.height)), sizeDivisor);
  const width = roundUp(Math.max(...samples.map((s) => s.image.width)), sizeDivisor);
  const images = tf.tidy(() =>
    tf.concat<tf.Tensor4D>(
      samples.map(({ image }) => {
        const pixels = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32').toFloat();
        return tf.pad(normalizeImages(pixels), [
          [0, 0],
          [0, height - image.height],
          [0, width - image.width],
          [0, 0],
        ]);
      }),
      0,
    ),
  );
  return {
    images,
    imageSizes: samples.map((s) => ({
      height: s.imageShape?.height ?? s.image.height,
      width: s.imageShape?.width ?? s.image.width,
    })),
    gtBoxes: samples.map((s) => s.boxes),
    gtLabels: samples.map((s) => s.labels),
  };
}
