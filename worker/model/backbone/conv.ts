// Convolutions with PyTorch's padding. tfjs' 'same' pads stride-2 convs asymmetrically (0 before, 1 after, on
// even sizes), torch pads `padding` pixels on every side; a numeric tfjs pad is torch's symmetric padding, so
// output sizes and pixel alignment match torchvision and mmdet: floor((H + 2p − k) / s) + 1.
import * as tf from '@tensorflow/tfjs';
import { kaimingNormalFanOut, type ConvShape } from './init.js';
import type { ParameterStore } from './parameter-store.js';
import type { UniformRng } from '../../../common/index.js';

export interface Conv {
  /** HWIO: [kh, kw, in, out]. torchvision's OIHW is transposed on import. */
  weight: tf.Variable;
  /** Present only where the torch module has one (FPN convs; ResNet convs have bias=False). */
  bias?: tf.Variable;
  stride: number;
  padding: number;
}

/** Registers a bias-free `${name}.weight`, initialised as mmdet's ResNet does (kaiming normal, fan_out). */
export function createResNetConv(
  store: ParameterStore,
  rng: UniformRng,
  name: string,
  shape: ConvShape,
  stride = 1,
): Conv {
  const initial = kaimingNormalFanOut(rng, shape);
  const weight = store.addParameter(`${name}.weight`, initial);
  initial.dispose();
  // torchvision's ResNet: 7x7 stem with padding 3, 3x3 with padding 1, 1x1 with none; (k − 1) / 2 for all.
  return { weight, stride, padding: (shape[0] - 1) / 2 };
}

export function applyConv(x: tf.Tensor4D, conv: Conv): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.conv2d(x, conv.weight as tf.Tensor4D, conv.stride, conv.padding);
    return conv.bias === undefined ? y : tf.add(y, conv.bias);
  });
}
