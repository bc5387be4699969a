// Installs the kernel and gradient overrides of tfjs-notes §2-§4 (idempotent), remembering the kernels they
// replace so that tests can compare against them. Kernels are installed per backend, after that backend's package
// has registered its own: importing @tensorflow/tfjs-backend-wasm later would silently re-register the stock wasm
// kernels over ours.
import * as tf from '@tensorflow/tfjs';
import { batchMatMulGradient } from './gradients/batch-mat-mul.js';
import { cropAndResizeGradient } from './gradients/crop-and-resize.js';
import { gatherNdGradient } from './gradients/gather-nd.js';
import { scatterNdGradient } from './gradients/scatter-nd.js';
import { stridedSliceGradient } from './gradients/strided-slice.js';
import { tensorScatterUpdateGradient } from './gradients/tensor-scatter-update.js';
import { topKGradient } from './gradients/top-k.js';
import { conv2dBackpropFilterKernel } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInputKernel } from './kernels/conv2d-backprop-input.js';
import { nativeExplicitPaddingKernels } from './kernels/native-explicit-padding.js';
import { sparseRowCombineKernel } from './kernels/sparse-row-combine.js';
import { unsortedSegmentSumKernel } from './kernels/unsorted-segment-sum.js';
import { wasmIdentityKernel } from './kernels/wasm-identity.js';

/**
 * Kernel overrides (and our own SparseRowCombine) per backend. tfjs-node ('tensorflow') keeps its native kernels,
 * which need none of the cpu/wasm replacements (TensorFlow has fast conv gradients, segment sums and matMuls), and
 * gets only numeric padding for its conv and max-pool kernels; RoIAlign's SparseRowCombine falls back to stock ops.
 */
function kernelOverrides(backendName: string): tf.KernelConfig[] {
  switch (backendName) {
    case 'cpu':
      return [
        conv2dBackpropFilterKernel('cpu'),
        unsortedSegmentSumKernel('cpu'),
        sparseRowCombineKernel('cpu'),
      ];
    case 'wasm':
      return [
        conv2dBackpropFilterKernel('wasm'),
        conv2dBackpropInputKernel('wasm'),
        unsortedSegmentSumKernel('wasm'),
        wasmIdentityKernel,
        sparseRowCombineKernel('wasm'),
      ];
    case 'tensorflow':
      return nativeExplicitPaddingKernels((kernelName) => tf.getKernel(kernelName, 'tensorflow'));
    default:
      return [];
  }
}

const gradientOverrides: tf.GradConfig[] = [
  batchMatMulGradient,
  cropAndResizeGradient,
  gatherNdGradient,
  scatterNdGradient,
  stridedSliceGradient,
  tensorScatterUpdateGradient,
  topKGradient,
];

const replacedKernels = new Map<string, tf.KernelConfig>();
const installed = new Map<string, string[]>();
let gradientsInstalled = false;

function installGradients(): void {
  if (gradientsInstalled) return;
  for (const config of gradientOverrides) tf.registerGradient(config);
  gradientsInstalled = true;
}

/**
 * Registers the kernel overrides of `backendName` (call it once that backend's package is loaded) and the
 * gradient overrides (global). Safe to call many times: each backend is patched once. Returns what is installed
 * for that backend, e.g. ['wasm/Identity', ..., 'gradient/GatherNd'].
 */
export function installOverrides(backendName: string): string[] {
  installGradients();
  const known = installed.get(backendName);
  if (known !== undefined) return known;
  const names: string[] = [];
  for (const config of kernelOverrides(backendName)) {
    const native = tf.getKernel(config.kernelName, config.backendName);
    if (native !== undefined) {
      replacedKernels.set(`${config.backendName}/${config.kernelName}`, native);
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
    names.push(`${config.backendName}/${config.kernelName}`);
  }
  names.push(...gradientOverrides.map((config) => `gradient/${config.kernelName}`));
  installed.set(backendName, names);
  return names;
}

/** The stock kernel an override replaced (undefined where the backend had none, like wasm's filter gradient). */
export function replacedKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return replacedKernels.get(`${backendName}/${kernelName}`);
}
