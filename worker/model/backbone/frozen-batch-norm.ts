// Batch norm as the spec runs it (1.2): `norm_eval=True`, so every BN layer is in eval mode in both stages and
// normalises with its ImageNet running statistics, which never change; the affine weight and bias are learnable
// (`requires_grad=True`) unless their stage is frozen. Training-mode BN (batch statistics, running-average
// updates) is therefore never needed and not implemented.
//
// y = (x − running_mean) / sqrt(running_var + eps) · weight + bias, computed as x · scale + shift with
// scale = weight / sqrt(running_var + eps) and shift = bias − running_mean · scale: two [C] vectors and two
// broadcast ops on the big tensor instead of four (tfjs-notes §2 "FrozenBN as x*scale+shift is faster").
// Gradients reach weight and bias through scale and shift; the running statistics are 'state' entries.
import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from './parameter-store.js';

/** torch.nn.BatchNorm2d's default, which torchvision's and mmdet's ResNets keep. */
export const BATCH_NORM_EPSILON = 1e-5;

export interface FrozenBatchNorm {
  weight: tf.Variable;
  bias: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

/**
 * Registers `${name}.weight|bias|running_mean|running_var` (torch's BatchNorm2d names) with torch's initial
 * values: weight `initialWeight` (1, or 0 for a zero-initialised residual branch), bias 0, mean 0, var 1.
 */
export function createFrozenBatchNorm(
  store: ParameterStore,
  name: string,
  channels: number,
  initialWeight = 1,
): FrozenBatchNorm {
  return tf.tidy(() => ({
    weight: store.addParameter(`${name}.weight`, tf.fill([channels], initialWeight)),
    bias: store.addParameter(`${name}.bias`, tf.zeros([channels])),
    runningMean: store.addState(`${name}.running_mean`, tf.zeros([channels])),
    runningVar: store.addState(`${name}.running_var`, tf.ones([channels])),
  }));
}

/** Applies the eval-mode batch norm to NHWC `x` (channels last). */
export function frozenBatchNorm(x: tf.Tensor4D, bn: FrozenBatchNorm): tf.Tensor4D {
  return tf.tidy(() => {
    const scale = tf.mul(bn.weight, tf.rsqrt(tf.add(bn.runningVar, BATCH_NORM_EPSILON)));
    const shift = tf.sub(bn.bias, tf.mul(bn.runningMean, scale));
    return tf.add(tf.mul(x, scale), shift);
  });
}
