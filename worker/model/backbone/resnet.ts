// The ResNet backbone (spec 1.2): mmdet's `ResNet(depth, style='pytorch', frozen_stages=1, norm_eval=True,
// norm_cfg=dict(type='BN', requires_grad=True), out_indices=(0, 1, 2, 3))`. Stem: 7x7/2 conv (pad 3), BN,
// ReLU, 3x3/2 max-pool (pad 1); then `layer1`..`layer4` of bottlenecks with strides 1, 2, 2, 2, returning
// C2..C5 at strides 4, 8, 16, 32. Parameter names are mmdet's state-dict names under `backbone.`, which are
// torchvision's names with that prefix.
import * as tf from '@tensorflow/tfjs';
import { applyBottleneck, BOTTLENECK_EXPANSION, createBottleneck, type Bottleneck } from './bottleneck.js';
import { applyConv, createResNetConv, type Conv } from './conv.js';
import { ModelOptionError, ModelShapeError } from '../errors.js';
import { createFrozenBatchNorm, frozenBatchNorm, type FrozenBatchNorm } from './frozen-batch-norm.js';
import { namePrefixSelector, type ParameterStore } from './parameter-store.js';
import { stageOutputChannels, validateArch, type ResNetArch } from './resnet-arch.js';
import type { UniformRng } from '../../../common/index.js';

export interface ResNetOptions {
  arch: ResNetArch;
  /**
   * mmdet's `frozen_stages`: -1 trains everything; 0 freezes the stem (conv1, bn1); k ≥ 1 also freezes
   * layer1..layerk. Frozen means not trainable (`requires_grad=False`); BN statistics are frozen regardless.
   * @default 1 (spec 1.2: stem and res2 frozen)
   */
  frozenStages?: number;
  /** See BottleneckSpec.zeroInitResidual. @default true (mmdet's ResNet default) */
  zeroInitResidual?: boolean;
  /** State-dict prefix. @default 'backbone' */
  prefix?: string;
}

/** The spec's value (1.2). */
export const DEFAULT_FROZEN_STAGES = 1;

export class ResNet {
  readonly arch: ResNetArch;
  readonly prefix: string;
  readonly frozenStages: number;
  /** Channels of C2..C5 (256, 512, 1024, 2048 for depth 50/101). */
  readonly outChannels: number[];
  private readonly stem: { conv: Conv; bn: FrozenBatchNorm };
  private readonly layers: Bottleneck[][];

  /** Registers every parameter in `store` (init drawn from `rng` in registration order) and applies freezing. */
  constructor(store: ParameterStore, rng: UniformRng, options: ResNetOptions) {
    const {
      arch,
      frozenStages = DEFAULT_FROZEN_STAGES,
      zeroInitResidual = true,
      prefix = 'backbone',
    } = options;
    validateArch(arch);
    if (!Number.isInteger(frozenStages) || frozenStages < -1 || frozenStages > 4) {
      throw new ModelOptionError('frozenStages', frozenStages, 'must be an integer from -1 to 4');
    }
    this.arch = arch;
    this.prefix = prefix;
    this.frozenStages = frozenStages;
    this.outChannels = stageOutputChannels(arch);
    this.stem = {
      conv: createResNetConv(store, rng, `${prefix}.conv1`, [7, 7, 3, arch.stemChannels], 2),
      bn: createFrozenBatchNorm(store, `${prefix}.bn1`, arch.stemChannels),
    };
    let inChannels = arch.stemChannels;
    this.layers = arch.stages.map((stage, s) => {
      const blocks: Bottleneck[] = [];
      for (let b = 0; b < stage.blocks; b++) {
        blocks.push(
          createBottleneck(store, rng, `${prefix}.layer${s + 1}.${b}`, {
            inChannels,
            planes: stage.planes,
            // pytorch style: the first block of res3..res5 halves the resolution (on its 3x3 conv).
            stride: b === 0 && s > 0 ? 2 : 1,
            zeroInitResidual,
          }),
        );
        inChannels = stage.planes * BOTTLENECK_EXPANSION;
      }
      return blocks;
    });
    store.setTrainable(namePrefixSelector(frozenStagePrefixes(prefix, frozenStages)), false);
  }

  /**
   * Normalised images [B, H, W, 3] (see normalizeImages) → [C2, C3, C4, C5], each [B, h, w, outChannels[i]]
   * with h = H / stride rounded up at every stride-2 step, as in torch.
   */
  apply(images: tf.Tensor4D): tf.Tensor4D[] {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new ModelShapeError('images', images.shape, '[B, H, W, 3] normalised RGB');
    }
    const outputs: tf.Tensor4D[] = [];
    let x = tf.tidy(() => {
      const stem = tf.relu(frozenBatchNorm(applyConv(images, this.stem.conv), this.stem.bn));
      return tf.maxPool(stem, 3, 2, 1);
    });
    for (const blocks of this.layers) {
      for (const block of blocks) {
        const next = applyBottleneck(x, block);
        // The previous tensor is an output (kept) only when it ended the previous stage.
        if (!outputs.includes(x)) x.dispose();
        x = next;
      }
      outputs.push(x);
    }
    return outputs;
  }
}

/** State-dict prefixes frozen by mmdet's `_freeze_stages` for `frozen_stages = k`. */
export function frozenStagePrefixes(prefix: string, frozenStages: number): string[] {
  if (frozenStages < 0) return [];
  const prefixes = [`${prefix}.conv1.`, `${prefix}.bn1.`];
  for (let stage = 1; stage <= frozenStages; stage++) prefixes.push(`${prefix}.layer${stage}.`);
  return prefixes;
}
