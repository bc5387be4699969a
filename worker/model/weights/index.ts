// Public surface of model weights: checkpoints (all parameters and state as one blob + JSON manifest in a
// WeightStorage), FCBL/FHM state under the reference's names, the safetensors reader and the torchvision
// ResNet importer, and the mmdetection state-dict importer.
export {
  assignTargets,
  checkpointObjects,
  loadWeights,
  readTargets,
  saveWeights,
  type AssignOptions,
  type WeightTarget,
} from './checkpoint.js';
export {
  WeightsFormatError,
  WeightsMismatchError,
  WeightsNotFoundError,
  type TensorMismatch,
} from './errors.js';
export { bfloat16ToFloat32, float16ToFloat32 } from './float-conversion.js';
export {
  flattenedLinearToNhwc,
  fromTorchLayout,
  layoutForRank,
  torchShape,
  transposeLinear,
  type TorchLayout,
} from './mmdet-layout.js';
export {
  importMmdetStateDict,
  MMDET_FLOAT_DTYPES,
  mmdetIgnoredReason,
  planMmdetImport,
  type FileTensor,
  type MmdetPlan,
  type MmdetTarget,
} from './mmdet-state-dict.js';
export {
  BBOX_HEAD_PREFIX,
  fcblSnapshotFromArrays,
  fcblStateArrays,
  fhmSnapshotFromArrays,
  fhmStateArrays,
} from './loss-state-arrays.js';
export {
  readSafetensors,
  safetensorsFloat32,
  type SafetensorsEntry,
  type SafetensorsFile,
} from './safetensors.js';
export { assertObjectName, type WeightStorage } from './storage.js';
export {
  decodeWeights,
  encodeWeights,
  parseManifest,
  type ArrayDtype,
  type ManifestTensor,
  type NamedArray,
  type WeightsManifest,
} from './tensor-blob.js';
export {
  ignoredReason,
  importTorchvisionResNet,
  oihwToHwio,
  type IgnoredTensor,
  type ImportReport,
} from './torchvision-resnet.js';
