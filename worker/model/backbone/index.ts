// Public surface of the backbone: the parameter store (names, trainable flags, state), the ResNet and its
// architectures, frozen batch norm, input normalisation and the initialisers the FPN and heads share.
export { applyConv, createResNetConv, type Conv } from './conv.js';
export { ParameterNameError } from './errors.js';
export {
  BATCH_NORM_EPSILON,
  createFrozenBatchNorm,
  frozenBatchNorm,
  type FrozenBatchNorm,
} from './frozen-batch-norm.js';
export { kaimingNormalFanOut, xavierUniform, type ConvShape } from './init.js';
export { IMAGENET_NORMALIZATION, normalizeImages, type ImageNormalization } from './normalize.js';
export {
  namePrefixSelector,
  ParameterStore,
  type ParameterEntry,
  type ParameterKind,
  type ParameterStoreOptions,
} from './parameter-store.js';
export { DEFAULT_FROZEN_STAGES, frozenStagePrefixes, ResNet, type ResNetOptions } from './resnet.js';
export {
  RESNET_OUTPUT_STRIDES,
  resnetArch,
  stageOutputChannels,
  tinyResNetArch,
  type ResNetArch,
  type ResNetStage,
  type TinyResNetOptions,
} from './resnet-arch.js';
