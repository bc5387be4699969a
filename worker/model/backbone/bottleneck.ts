// ResNet's Bottleneck block, `style='pytorch'` (spec 1.2): the stride sits on the 3x3 conv (conv2), not on the
// first 1x1 as in the 'caffe' style. 1x1 (planes) → 3x3 (planes, stride) → 1x1 (planes · 4), each followed by
// a frozen batch norm, ReLU after the first two and after the residual sum. The shortcut is a 1x1 conv with the
// block's stride plus a batch norm (`downsample.0/1`) when the shape changes, else the identity.
import * as tf from '@tensorflow/tfjs';
import { applyConv, createResNetConv, type Conv } from './conv.js';
import { createFrozenBatchNorm, frozenBatchNorm, type FrozenBatchNorm } from './frozen-batch-norm.js';
import type { ParameterStore } from './parameter-store.js';
import type { UniformRng } from '../../../common/index.js';

/** torchvision's Bottleneck.expansion: the block's output has 4 × planes channels. */
export const BOTTLENECK_EXPANSION = 4;

export interface BottleneckSpec {
  inChannels: number;
  planes: number;
  stride: number;
  /**
   * mmdet's `zero_init_residual` (its ResNet default: true): bn3's weight starts at 0, so each block starts as
   * the identity. Only matters without pretrained weights.
   */
  zeroInitResidual: boolean;
}

interface ConvBn {
  conv: Conv;
  bn: FrozenBatchNorm;
}

export interface Bottleneck {
  branch: [ConvBn, ConvBn, ConvBn];
  downsample?: ConvBn;
}

export function createBottleneck(
  store: ParameterStore,
  rng: UniformRng,
  name: string,
  spec: BottleneckSpec,
): Bottleneck {
  const { inChannels, planes, stride, zeroInitResidual } = spec;
  const out = planes * BOTTLENECK_EXPANSION;
  const convBn = (index: number, shape: [number, number, number, number], convStride: number, gamma = 1) => ({
    conv: createResNetConv(store, rng, `${name}.conv${index}`, shape, convStride),
    bn: createFrozenBatchNorm(store, `${name}.bn${index}`, shape[3], gamma),
  });
  const branch: Bottleneck['branch'] = [
    convBn(1, [1, 1, inChannels, planes], 1),
    convBn(2, [3, 3, planes, planes], stride),
    convBn(3, [1, 1, planes, out], 1, zeroInitResidual ? 0 : 1),
  ];
  if (stride === 1 && inChannels === out) return { branch };
  const downsample = {
    conv: createResNetConv(store, rng, `${name}.downsample.0`, [1, 1, inChannels, out], stride),
    bn: createFrozenBatchNorm(store, `${name}.downsample.1`, out),
  };
  return { branch, downsample };
}

export function applyBottleneck(x: tf.Tensor4D, block: Bottleneck): tf.Tensor4D {
  return tf.tidy(() => {
    const [first, second, third] = block.branch;
    let y = tf.relu(frozenBatchNorm(applyConv(x, first.conv), first.bn));
    y = tf.relu(frozenBatchNorm(applyConv(y, second.conv), second.bn));
    y = frozenBatchNorm(applyConv(y, third.conv), third.bn);
    const shortcut =
      block.downsample === undefined
        ? x
        : frozenBatchNorm(applyConv(x, block.downsample.conv), block.downsample.bn);
    return tf.relu(tf.add(y, shortcut)) as tf.Tensor4D;
  });
}
