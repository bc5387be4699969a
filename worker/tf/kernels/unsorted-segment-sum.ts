// UnsortedSegmentSum as one linear pass in JS over the input rows.
//
// Why: wasm has no UnsortedSegmentSum kernel, so tf.gather has no usable gradient there; and the cpu kernel is
// O(segments x rows) (tfjs-notes §4.1: [12544,64] into 512 segments took 53 s, a tiny Faster R-CNN step 237 s).
// This is O(rows x rowSize) on both. Ids outside [0, numSegments) are dropped, as the cpu kernel and TF do.
// Measured against: the native cpu kernel (test/worker/tf/unsorted-segment-sum.test.ts).
import * as tf from '@tensorflow/tfjs';
import { TfKernelError } from '../errors.js';
import { type KernelTarget, makeOutput, readValues } from '../kernel-compose.js';

export function unsortedSegmentSum(
  target: KernelTarget,
  x: tf.TensorInfo,
  segmentIds: tf.TensorInfo,
  numSegments: number,
): tf.TensorInfo {
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new TfKernelError('UnsortedSegmentSum', `dtype ${x.dtype} is not supported (float32 or int32)`);
  }
  const ids = readValues(target, segmentIds);
  const values = readValues(target, x);
  const rowSize = ids.length === 0 ? 0 : values.length / ids.length;
  const sums =
    x.dtype === 'float32' ? new Float32Array(numSegments * rowSize) : new Int32Array(numSegments * rowSize);
  for (let row = 0; row < ids.length; row++) {
    const segment = ids[row] ?? -1;
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * rowSize;
    const to = segment * rowSize;
    for (let k = 0; k < rowSize; k++) sums[to + k] = (sums[to + k] ?? 0) + (values[from + k] ?? 0);
  }
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  return makeOutput(target, outShape, x.dtype, sums);
}

export function unsortedSegmentSumKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.UnsortedSegmentSum,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      return unsortedSegmentSum(
        { backend: backend as tf.KernelBackend, backendName },
        x,
        segmentIds,
        numSegments,
      );
    },
  };
}
