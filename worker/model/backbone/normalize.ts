// Input normalisation (spec 1.2: mmdet `Normalize` with `to_rgb=True`): RGB channel order, subtract the
// torchvision ImageNet mean and divide by its std, on 0-255 pixel values. The ImageNet weights were trained on
// exactly this, so a BGR image or 0-1 values would silently shift every feature.
import * as tf from '@tensorflow/tfjs';
import { ModelShapeError } from '../errors.js';

export interface ImageNormalization {
  /** Per channel, in RGB order, on the 0-255 scale. @default [123.675, 116.28, 103.53] */
  mean: [number, number, number];
  /** @default [58.395, 57.12, 57.375] */
  std: [number, number, number];
  /**
   * Channel order of the images handed in. 'bgr' (OpenCV's order) is reversed to RGB first; the data
   * pipeline (sharp) decodes to RGB, so that is the default.
   * @default 'rgb'
   */
  inputOrder: 'rgb' | 'bgr';
}

export const IMAGENET_NORMALIZATION: Readonly<ImageNormalization> = Object.freeze({
  mean: [123.675, 116.28, 103.53] as [number, number, number],
  std: [58.395, 57.12, 57.375] as [number, number, number],
  inputOrder: 'rgb' as const,
});

/** (image − mean) / std on [B, H, W, 3] images with values in 0-255. */
export function normalizeImages(images: tf.Tensor4D, options: Partial<ImageNormalization> = {}): tf.Tensor4D {
  const { mean, std, inputOrder } = { ...IMAGENET_NORMALIZATION, ...options };
  if (images.rank !== 4 || images.shape[3] !== 3 || images.dtype !== 'float32') {
    throw new ModelShapeError('images', images.shape, '[B, H, W, 3] float32 with values in 0-255');
  }
  return tf.tidy(() => {
    const rgb = inputOrder === 'bgr' ? tf.reverse(images, 3) : images;
    // (x − m) / s in this order, as mmcv's imnormalize does, so values round the same way.
    return tf.div(tf.sub(rgb, tf.tensor1d(mean)), tf.tensor1d(std));
  });
}
