// The FPN neck (spec 1.2; mmdet 2.8 `FPN(in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=5)`,
// `add_extra_convs=False`): a 1x1 lateral conv per input level, a top-down pathway that adds the coarser
// lateral, nearest-upsampled to the finer level's size, then a 3x3 output conv per level; P6 is a max-pool with
// kernel 1 and stride 2 of P5's *output* (`F.max_pool2d(outs[-1], 1, stride=2)`), used only by the RPN.
// Convs have biases (ConvModule without norm) and are initialised xavier-uniform with zero bias
// (`FPN.init_weights`). Names: `neck.lateral_convs.i.conv.*`, `neck.fpn_convs.i.conv.*`.
import * as tf from '@tensorflow/tfjs';
import {
  applyConv,
  xavierUniform,
  type Conv,
  type ConvShape,
  type ParameterStore,
} from './backbone/index.js';
import type { UniformRng } from '../../common/index.js';
import { ModelOptionError, ModelShapeError } from './errors.js';

export interface FpnOptions {
  /** Channels of C2..C5, e.g. ResNet.outChannels. */
  inChannels: number[];
  /** @default 256 */
  outChannels?: number;
  /** State-dict prefix. @default 'neck' */
  prefix?: string;
}

/** Output strides of P2..P6. */
export const FPN_STRIDES: readonly number[] = Object.freeze([4, 8, 16, 32, 64]);

function createFpnConv(store: ParameterStore, rng: UniformRng, name: string, shape: ConvShape): Conv {
  const initial = xavierUniform(rng, shape);
  const weight = store.addParameter(`${name}.weight`, initial);
  initial.dispose();
  const bias = tf.tidy(() => store.addParameter(`${name}.bias`, tf.zeros([shape[3]])));
  return { weight, bias, stride: 1, padding: (shape[0] - 1) / 2 };
}

export class Fpn {
  readonly inChannels: number[];
  readonly outChannels: number;
  private readonly lateralConvs: Conv[];
  private readonly outputConvs: Conv[];

  /** Registers the laterals then the output convs, level by level (mmdet's order), drawing init from `rng`. */
  constructor(store: ParameterStore, rng: UniformRng, options: FpnOptions) {
    const { inChannels, outChannels = 256, prefix = 'neck' } = options;
    if (inChannels.length < 1 || !inChannels.every((c) => Number.isInteger(c) && c > 0)) {
      throw new ModelOptionError('inChannels', inChannels, 'must be a non-empty list of positive integers');
    }
    if (!Number.isInteger(outChannels) || outChannels <= 0) {
      throw new ModelOptionError('outChannels', outChannels, 'must be a positive integer');
    }
    this.inChannels = [...inChannels];
    this.outChannels = outChannels;
    this.lateralConvs = inChannels.map((c, i) =>
      createFpnConv(store, rng, `${prefix}.lateral_convs.${i}.conv`, [1, 1, c, outChannels]),
    );
    this.outputConvs = inChannels.map((_, i) =>
      createFpnConv(store, rng, `${prefix}.fpn_convs.${i}.conv`, [3, 3, outChannels, outChannels]),
    );
  }

  /** [C2..C5] → [P2..P6], each [B, h, w, outChannels]; P6 has ceil(h5 / 2) × ceil(w5 / 2) cells. */
  apply(features: readonly tf.Tensor4D[]): tf.Tensor4D[] {
    if (features.length !== this.inChannels.length) {
      throw new ModelShapeError('features', [features.length], `${this.inChannels.length} levels`);
    }
    features.forEach((feature, i) => {
      if (feature.rank !== 4 || feature.shape[3] !== this.inChannels[i]) {
        throw new ModelShapeError(`features[${i}]`, feature.shape, `[B, H, W, ${this.inChannels[i]}]`);
      }
    });
    return tf.tidy(() => {
      const laterals = features.map((feature, i) => applyConv(feature, this.lateralConvs[i] as Conv));
      for (let i = laterals.length - 1; i > 0; i--) {
        const finer = laterals[i - 1] as tf.Tensor4D;
        const coarser = laterals[i] as tf.Tensor4D;
        // mmdet passes size= (not scale_factor=), so odd sizes work; tfjs' nearest with alignCorners and
        // halfPixelCenters off picks floor(dst · in / out), which is torch's 'nearest'.
        const upsampled = tf.image.resizeNearestNeighbor(coarser, [finer.shape[1], finer.shape[2]]);
        laterals[i - 1] = tf.add(finer, upsampled);
      }
      const outputs = laterals.map((lateral, i) => applyConv(lateral, this.outputConvs[i] as Conv));
      const p5 = outputs[outputs.length - 1] as tf.Tensor4D;
      outputs.push(tf.maxPool(p5, 1, 2, 'valid'));
      return outputs;
    });
  }
}
