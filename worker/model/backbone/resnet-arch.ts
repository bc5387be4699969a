// ResNet architectures as data: the stem width and, per stage, the bottleneck count and width. Depth 50 and
// 101 are torchvision's (and mmdet's `arch_settings`); the tiny variant keeps the same structure (4 stages of
// pytorch-style bottlenecks, stem, downsample names) with small widths, so tests exercise every code path and
// every parameter name of the real model in milliseconds.
import { BOTTLENECK_EXPANSION } from './bottleneck.js';
import { ModelOptionError } from '../errors.js';

export interface ResNetStage {
  /** Bottleneck blocks in the stage. */
  blocks: number;
  /** Width of the block's 1x1/3x3 convs; the stage outputs planes × 4 channels. */
  planes: number;
}

export interface ResNetArch {
  /** A name for messages and benchmarks, e.g. 'resnet50'. */
  name: string;
  /** Channels of the 7x7 stem conv (64 in torchvision). */
  stemChannels: number;
  /** Exactly four stages: res2..res5 (`layer1`..`layer4`), strides 4, 8, 16, 32 at their outputs. */
  stages: [ResNetStage, ResNetStage, ResNetStage, ResNetStage];
}

/** Output strides of C2..C5 relative to the input image. */
export const RESNET_OUTPUT_STRIDES: readonly number[] = Object.freeze([4, 8, 16, 32]);

const TORCHVISION_BLOCKS: Record<50 | 101, [number, number, number, number]> = {
  50: [3, 4, 6, 3],
  101: [3, 4, 23, 3],
};

/** torchvision's ResNet-50 / -101: stem 64, planes 64/128/256/512, outputs 256/512/1024/2048 channels. */
export function resnetArch(depth: 50 | 101): ResNetArch {
  const blocks = TORCHVISION_BLOCKS[depth] as [number, number, number, number] | undefined;
  if (blocks === undefined) throw new ModelOptionError('depth', depth, 'must be 50 or 101');
  const planes = [64, 128, 256, 512] as const;
  return {
    name: `resnet${depth}`,
    stemChannels: 64,
    stages: [0, 1, 2, 3].map((i) => ({
      blocks: blocks[i] ?? 0,
      planes: planes[i] ?? 0,
    })) as ResNetArch['stages'],
  };
}

export interface TinyResNetOptions {
  /** @default 8 */
  stemChannels?: number;
  /** Per stage bottleneck width (outputs are 4×). @default [4, 8, 8, 16] */
  planes?: [number, number, number, number];
  /** Per stage block count. @default [1, 1, 1, 1] */
  blocks?: [number, number, number, number];
}

/** A small ResNet with the real structure and names, for tests and the CI-sized model. */
export function tinyResNetArch(options: TinyResNetOptions = {}): ResNetArch {
  const { stemChannels = 8, planes = [4, 8, 8, 16], blocks = [1, 1, 1, 1] } = options;
  const arch: ResNetArch = {
    name: `tiny-resnet(${stemChannels};${planes.join(',')};${blocks.join(',')})`,
    stemChannels,
    stages: [0, 1, 2, 3].map((i) => ({
      blocks: blocks[i] ?? 0,
      planes: planes[i] ?? 0,
    })) as ResNetArch['stages'],
  };
  validateArch(arch);
  return arch;
}

const isPositiveInteger = (value: unknown): boolean => Number.isInteger(value) && (value as number) > 0;

export function validateArch(arch: ResNetArch): void {
  if (!isPositiveInteger(arch.stemChannels)) {
    throw new ModelOptionError('stemChannels', arch.stemChannels, 'must be a positive integer');
  }
  if (arch.stages.length !== 4) {
    throw new ModelOptionError('stages', arch.stages.length, 'must list exactly 4 stages (res2..res5)');
  }
  arch.stages.forEach((stage, i) => {
    if (!isPositiveInteger(stage.blocks)) {
      throw new ModelOptionError(`stages[${i}].blocks`, stage.blocks, 'must be a positive integer');
    }
    if (!isPositiveInteger(stage.planes)) {
      throw new ModelOptionError(`stages[${i}].planes`, stage.planes, 'must be a positive integer');
    }
  });
}

/** Channels of C2..C5. */
export function stageOutputChannels(arch: ResNetArch): number[] {
  return arch.stages.map((stage) => stage.planes * BOTTLENECK_EXPANSION);
}
