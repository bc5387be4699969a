// Runs registered kernels directly on a backend from inside another kernel, the way tfjs' own composite kernels
// do: inputs and outputs are backend-level TensorInfos that the engine never sees, so every intermediate must be
// released with `release` (a refcount decrement on both cpu and wasm).
import * as tf from '@tensorflow/tfjs';
import { TfKernelError } from './errors.js';

type Attrs = Record<string, unknown>;

/** The backend an override kernel runs on, with the name its kernels are registered under. */
export interface KernelTarget {
  backend: tf.KernelBackend;
  backendName: string;
}

/** Runs kernel `kernelName` of the target backend; throws TfKernelError when that backend has none. */
export function runKernelOn(
  target: KernelTarget,
  kernelName: string,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Attrs = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(kernelName, target.backendName);
  if (kernel === undefined) {
    throw new TfKernelError(
      kernelName,
      `backend '${target.backendName}' has no '${kernelName}' kernel to compose`,
    );
  }
  const output = kernel.kernelFunc({ inputs, backend: target.backend, attrs: attrs as tf.NamedAttrMap });
  if (Array.isArray(output)) {
    throw new TfKernelError(kernelName, `expected one output from '${kernelName}', got ${output.length}`);
  }
  return output;
}

/** Drops one reference to intermediate TensorInfos made by runKernelOn. */
export function release(target: KernelTarget, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) target.backend.disposeData(info.dataId);
}

/** Values of a backend-level tensor (a copy on wasm, the backing array on cpu: never write to it). */
export function readValues(target: KernelTarget, info: tf.TensorInfo): Float32Array | Int32Array {
  const values = target.backend.readSync(info.dataId);
  if (values instanceof Float32Array || values instanceof Int32Array) return values;
  throw new TfKernelError('readValues', `expected float32 or int32 data, got dtype '${info.dtype}'`);
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

interface CpuBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo;
}

/**
 * The values of a backend-level tensor without copying where possible (a view into the wasm heap, cpu's own
 * array): read-only, and valid on wasm only until the next allocation there (a growing heap detaches it).
 */
export function viewValues(target: KernelTarget, info: tf.TensorInfo): Float32Array | Int32Array {
  const backend = target.backend as unknown as Partial<WasmHeapBackend>;
  if (backend.typedArrayFromHeap !== undefined) return backend.typedArrayFromHeap(info);
  return readValues(target, info);
}

/** A new backend-level tensor holding `values` (wasm: copied into its heap; cpu: adopted). */
export function makeOutput(
  target: KernelTarget,
  shape: number[],
  dtype: 'float32' | 'int32',
  values: Float32Array | Int32Array,
): tf.TensorInfo {
  const backend = target.backend as unknown as Partial<WasmHeapBackend & CpuBackend>;
  if (backend.typedArrayFromHeap !== undefined && backend.makeOutput !== undefined) {
    const out = backend.makeOutput(shape, dtype);
    backend.typedArrayFromHeap(out).set(values);
    return out;
  }
  if (backend.makeTensorInfo !== undefined) return backend.makeTensorInfo(shape, dtype, values);
  throw new TfKernelError('makeOutput', `backend '${target.backendName}' cannot make outputs from JS values`);
}
