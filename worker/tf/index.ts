// worker/tf: the tfjs runtime of a worker (backend set-up plus the kernel and gradient overrides that make
// Faster R-CNN trainable on tfjs 4.22; see docs/adr/0007-tfjs-backends-and-overrides.md and
// docs/adr/0021-native-tensorflow-backend.md).
export {
  backendEnvVar,
  chooseBackend,
  intraOpThreads,
  parseBackendChoice,
  tfBackendChoices,
  type TfBackendChoice,
  type TfBackendName,
} from './backend-choice.js';
export { TfBackendError, TfKernelError } from './errors.js';
export { describeRuntime, initTf, type InitTfOptions, type TfRuntime } from './init-tf.js';
export {
  nativeInstall,
  nativeInstallHint,
  nativePackage,
  type NativeInstall,
  type NativeManifest,
} from './native.js';
export { installOverrides, replacedKernel } from './overrides.js';
export { checkBackends, selfTestTolerance, type BackendReport } from './self-test.js';
export { sparseRowCombineKernelName } from './kernels/sparse-row-combine.js';
export { sparseRowCombine, type SparseRows } from './ops/sparse-row-combine.js';
