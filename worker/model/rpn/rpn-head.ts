// The RPN head (spec 1.2; mmdet 2.8 `RPNHead`), shared by all FPN levels: a 3×3 conv (256) with ReLU, then a
// 1×1 objectness conv (one sigmoid logit per anchor) and a 1×1 regression conv (4 deltas per anchor). All
// three are initialised N(0, 0.01) with zero bias (`RPNHead.init_weights`). NHWC throughout: channel a of the
// objectness map and channels 4a..4a+3 of the regression map belong to anchor a at that cell, so a reshape to
// [B, H·W·A] / [B, H·W·A·4] lines up with the (y, x, anchor) anchor order.
import * as tf from '@tensorflow/tfjs';
import { BoxShapeError } from '../boxes/index.js';
import { standardNormals, type UniformRng } from '../../../common/index.js';

export interface RpnHeadOptions {
  /** FPN channels in. @default 256 */
  inChannels?: number;
  /** Channels of the 3×3 conv. @default 256 */
  featChannels?: number;
  /** Anchors per location (ratios × scales). @default 3 */
  anchorsPerLocation?: number;
  /** Std of the normal weight init. @default 0.01 */
  initStd?: number;
  /** Variable name prefix; names mirror mmdet's state dict (`rpn_head.rpn_conv.weight`). @default 'rpn_head' */
  name?: string;
}

export const RPN_HEAD_DEFAULTS: Readonly<Required<RpnHeadOptions>> = Object.freeze({
  inChannels: 256,
  featChannels: 256,
  anchorsPerLocation: 3,
  initStd: 0.01,
  name: 'rpn_head',
});

/** Raw head outputs per level, finest first. */
export interface RpnOutputs {
  /** [B, H, W, A] objectness logits. */
  clsScores: tf.Tensor4D[];
  /** [B, H, W, 4A] deltas, (dx, dy, dw, dh) per anchor. */
  bboxDeltas: tf.Tensor4D[];
}

interface ConvParams {
  weight: tf.Variable<tf.Rank.R4>;
  bias: tf.Variable<tf.Rank.R1>;
}

function normalConv(
  rng: UniformRng,
  shape: [number, number, number, number],
  std: number,
  name: string,
): ConvParams {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = standardNormals(rng, count).map((v) => v * std);
  return tf.tidy(() => ({
    weight: tf.variable(tf.tensor4d(values, shape), true, `${name}.weight`),
    bias: tf.variable(tf.zeros<tf.Rank.R1>([shape[3]]), true, `${name}.bias`),
  }));
}

function conv(x: tf.Tensor4D, params: ConvParams, pad: 'same' | 'valid'): tf.Tensor4D {
  return tf.add(tf.conv2d(x, params.weight, 1, pad), params.bias);
}

export class RpnHead {
  readonly options: Readonly<Required<RpnHeadOptions>>;
  readonly rpnConv: ConvParams;
  readonly rpnCls: ConvParams;
  readonly rpnReg: ConvParams;

  /** Weights drawn from `rng` in the order conv, cls, reg (each row-major over [kh, kw, in, out]). */
  constructor(rng: UniformRng, options: RpnHeadOptions = {}) {
    this.options = { ...RPN_HEAD_DEFAULTS, ...options };
    const { inChannels, featChannels, anchorsPerLocation: a, initStd, name } = this.options;
    this.rpnConv = normalConv(rng, [3, 3, inChannels, featChannels], initStd, `${name}.rpn_conv`);
    this.rpnCls = normalConv(rng, [1, 1, featChannels, a], initStd, `${name}.rpn_cls`);
    this.rpnReg = normalConv(rng, [1, 1, featChannels, 4 * a], initStd, `${name}.rpn_reg`);
  }

  /** Trainable variables, conv, cls, reg (weight then bias). */
  get variables(): tf.Variable[] {
    return [this.rpnConv, this.rpnCls, this.rpnReg].flatMap((p) => [p.weight, p.bias]);
  }

  /** Runs the head on each FPN level ([B, H, W, inChannels], finest first). */
  apply(features: readonly tf.Tensor4D[]): RpnOutputs {
    // Every level is checked before any runs, so a bad input leaves no half-built outputs behind.
    features.forEach((feature, level) => {
      if (feature.rank !== 4 || feature.shape[3] !== this.options.inChannels) {
        throw new BoxShapeError(`features[${level}]`, feature.shape, `[B, H, W, ${this.options.inChannels}]`);
      }
    });
    const clsScores: tf.Tensor4D[] = [];
    const bboxDeltas: tf.Tensor4D[] = [];
    for (const feature of features) {
      const [cls, reg] = tf.tidy(() => {
        const hidden = tf.relu(conv(feature, this.rpnConv, 'same'));
        return [conv(hidden, this.rpnCls, 'valid'), conv(hidden, this.rpnReg, 'valid')];
      });
      clsScores.push(cls);
      bboxDeltas.push(reg);
    }
    return { clsScores, bboxDeltas };
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Disposes the tensors of `outputs`. */
export function disposeRpnOutputs(outputs: RpnOutputs): void {
  tf.dispose([...outputs.clsScores, ...outputs.bboxDeltas]);
}
