// worker/tf: the tfjs runtime of a worker (backend set-up plus the kernel and gradient overrides that make
// Faster R-CNN trainable on tfjs 4.22; see docs/adr/0007-tfjs-backends-and-overrides.md).
export { TfBackendError, TfKernelError } from './errors.js';
export { initTf, type InitTfOptions, type TfBackendName, type TfRuntime } from './init-tf.js';
export { installOverrides, replacedKernel } from './overrides.js';
export { sparseRowCombineKernelName } from './kernels/sparse-row-combine.js';
export { sparseRowCombine, type SparseRows } from './ops/sparse-row-combine.js';
