// SparseRowCombine, a kernel of our own: out[to[e], :] += weight[e] * source[from[e], :] for every entry e, into
// a zeroed [rows, C] output. It is the sparse matmul behind RoIAlign's forward and backward (the same table read
// in either direction), as one JS pass over the entries.
//
// Why: composed from stock ops it is gather + broadcast mul + scatterND, and on wasm the first two are scalar
// loops: for 200k entries x 64 channels, gather took ~700 ms and the mul ~165-300 ms (scatterND 23 ms); this
// pass does the same multiply-adds in tens of ms on wasm and cpu. Backends without it (tfjs-node) fall back to
// that composition (ops/sparse-row-combine.ts).
// Measured against: that composition (test/worker/tf/sparse-row-combine.test.ts).
import type * as tf from '@tensorflow/tfjs';
import { TfKernelError } from '../errors.js';
import { type KernelTarget, makeOutput, viewValues } from '../kernel-compose.js';

export const sparseRowCombineKernelName = 'BaclSparseRowCombine';

export function sparseRowCombine(
  target: KernelTarget,
  inputs: { source: tf.TensorInfo; fromRows: tf.TensorInfo; toRows: tf.TensorInfo; weights: tf.TensorInfo },
  rows: number,
): tf.TensorInfo {
  const { source: src, fromRows: fromInfo, toRows: toInfo, weights: weightInfo } = inputs;
  if (src.dtype !== 'float32' || src.shape.length !== 2) {
    throw new TfKernelError(sparseRowCombineKernelName, 'source must be a float32 [rows, channels] matrix');
  }
  const count = fromInfo.shape[0];
  const entriesAgree = [fromInfo, toInfo, weightInfo].every(
    (t) => t.shape.length === 1 && t.shape[0] === count,
  );
  if (
    fromInfo.dtype !== 'int32' ||
    toInfo.dtype !== 'int32' ||
    weightInfo.dtype !== 'float32' ||
    !entriesAgree
  ) {
    throw new TfKernelError(
      sparseRowCombineKernelName,
      'fromRows and toRows must be int32 [E] and weights float32 [E], all of one length E',
    );
  }
  // Summed in a JS array and copied out at the end: views into the wasm heap stay valid only until the next
  // allocation there, so nothing is allocated on the backend while they are in use.
  const [sourceRows = 0, channels = 1] = src.shape;
  const result = new Float32Array(rows * channels);
  const source = viewValues(target, src);
  const from = viewValues(target, fromInfo);
  const to = viewValues(target, toInfo);
  const weights = viewValues(target, weightInfo);
  for (let e = 0; e < from.length; e++) {
    const fromRow = from[e] ?? 0;
    const toRow = to[e] ?? 0;
    if (fromRow < 0 || fromRow >= sourceRows || toRow < 0 || toRow >= rows) {
      throw new TfKernelError(
        sparseRowCombineKernelName,
        `entry ${e} maps row ${fromRow} to row ${toRow}: out of range`,
      );
    }
    const weight = weights[e] ?? 0;
    const fromBase = fromRow * channels;
    const toBase = toRow * channels;
    for (let c = 0; c < channels; c++) {
      result[toBase + c] = (result[toBase + c] ?? 0) + weight * (source[fromBase + c] ?? 0);
    }
  }
  return makeOutput(target, [rows, channels], 'float32', result);
}

export function sparseRowCombineKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: sparseRowCombineKernelName,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const target = { backend: backend as tf.KernelBackend, backendName };
      const { rows } = attrs as unknown as { rows: number };
      return sparseRowCombine(target, inputs as Parameters<typeof sparseRowCombine>[1], rows);
    },
  };
}
