// Weight initialisers drawn from a caller-supplied UniformRng, so a model built twice from the same seed is
// bitwise the same (the spec's initialisations: mmcv `kaiming_init` for ResNet convs, `xavier_init` uniform
// for the FPN). Conv weights are HWIO ([kh, kw, in, out]), the tfjs layout; fans are counted as PyTorch does.
import * as tf from '@tensorflow/tfjs';
import { standardNormals, type UniformRng } from '../../../common/index.js';

export type ConvShape = [kernelHeight: number, kernelWidth: number, inChannels: number, outChannels: number];

function fans([kh, kw, inChannels, outChannels]: ConvShape): { fanIn: number; fanOut: number } {
  return { fanIn: kh * kw * inChannels, fanOut: kh * kw * outChannels };
}

/**
 * mmcv `kaiming_init` defaults (= torch `kaiming_normal_(mode='fan_out', nonlinearity='relu')`, also what
 * torchvision's ResNet uses): N(0, 2 / fan_out).
 */
export function kaimingNormalFanOut(rng: UniformRng, shape: ConvShape): tf.Tensor4D {
  const std = Math.sqrt(2 / fans(shape).fanOut);
  const count = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    standardNormals(rng, count).map((v) => v * std),
    shape,
  );
}

/** mmcv `xavier_init(distribution='uniform')`, gain 1: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform(rng: UniformRng, shape: ConvShape): tf.Tensor4D {
  const { fanIn, fanOut } = fans(shape);
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  const count = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (2 * rng() - 1) * bound;
  return tf.tensor4d(values, shape);
}
