// wasm Conv2DBackpropInput (the input gradient of every conv but the first) as one XNNPACK forward conv.
//
// Why: wasm's native kernel is naive C loops, 3.3 s of a 12.8 s R50 step over 52 calls (tfjs-notes §4.1).
// How: dx = conv2d(zero-insert(dy, stride), the filter flipped in space with in/out channels swapped), stride 1,
// padded so that dx gets the input's size. The flip is a matMul by an anti-diagonal permutation (exact: products
// by 1 and sums with 0), because wasm's Reverse/Gather are scalar loops (80 ms for a 3x3x512x512 filter).
// Measured against: the native cpu kernel (test/worker/tf/conv2d-backprop-input.test.ts).
import * as tf from '@tensorflow/tfjs';
import { TfKernelError } from '../errors.js';
import { type KernelTarget, makeOutput, release, runKernelOn } from '../kernel-compose.js';

interface BackpropInputAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** dy with (stride - 1) zeros between neighbours: [N, (OH-1)*sh+1, (OW-1)*sw+1, C]. */
function zeroInsert(
  target: KernelTarget,
  dy: tf.TensorInfo,
  strideHeight: number,
  strideWidth: number,
): tf.TensorInfo {
  if (strideHeight === 1 && strideWidth === 1)
    return runKernelOn(target, 'Reshape', { x: dy }, { shape: dy.shape });
  const [batch, outHeight, outWidth, channels] = dy.shape as [number, number, number, number];
  const spread = runKernelOn(
    target,
    'Reshape',
    { x: dy },
    { shape: [batch, outHeight, 1, outWidth, 1, channels] },
  );
  const padded = runKernelOn(
    target,
    'PadV2',
    { x: spread },
    {
      paddings: [
        [0, 0],
        [0, 0],
        [0, strideHeight - 1],
        [0, 0],
        [0, strideWidth - 1],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const interleaved = runKernelOn(
    target,
    'Reshape',
    { x: padded },
    {
      shape: [batch, outHeight * strideHeight, outWidth * strideWidth, channels],
    },
  );
  release(target, spread, padded);
  const trimmed = runKernelOn(
    target,
    'Slice',
    { x: interleaved },
    {
      begin: [0, 0, 0, 0],
      size: [batch, (outHeight - 1) * strideHeight + 1, (outWidth - 1) * strideWidth + 1, channels],
    },
  );
  release(target, interleaved);
  return trimmed;
}

/** [KH, KW, Ci, Co] -> [KH, KW, Co, Ci] rotated 180 degrees in space. */
function flippedTransposedFilter(target: KernelTarget, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const taps = kh * kw;
  const antiDiagonal = new Float32Array(taps * taps);
  for (let i = 0; i < taps; i++) antiDiagonal[i * taps + (taps - 1 - i)] = 1;
  const flipMatrix = makeOutput(target, [1, taps, taps], 'float32', antiDiagonal);
  const rows = runKernelOn(target, 'Reshape', { x: filter }, { shape: [1, taps, ci * co] });
  const flipped = runKernelOn(
    target,
    'BatchMatMul',
    { a: flipMatrix, b: rows },
    { transposeA: false, transposeB: false },
  );
  release(target, flipMatrix, rows);
  const spatial = runKernelOn(target, 'Reshape', { x: flipped }, { shape: [kh, kw, ci, co] });
  release(target, flipped);
  const swapped = runKernelOn(target, 'Transpose', { x: spatial }, { perm: [0, 1, 3, 2] });
  release(target, spatial);
  return swapped;
}

export function conv2dBackpropInput(
  target: KernelTarget,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  attrs: BackpropInputAttrs,
): tf.TensorInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new TfKernelError('Conv2DBackpropInput', `only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth, padInfo } = info;
  const spread = zeroInsert(target, dy, strideHeight, strideWidth);
  const [batch, spreadHeight, spreadWidth, outChannels] = spread.shape as [number, number, number, number];
  // Padding that lines the flipped filter up with the forward windows; a negative pad means dy entries that
  // would land outside dx (only with unusual explicit paddings): crop them instead.
  const top = filterHeight - 1 - padInfo.top;
  const left = filterWidth - 1 - padInfo.left;
  const bottom = inHeight - spreadHeight + padInfo.top;
  const right = inWidth - spreadWidth + padInfo.left;
  let source = spread;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
    const size = [
      batch,
      spreadHeight - Math.max(0, -top) - Math.max(0, -bottom),
      spreadWidth - Math.max(0, -left) - Math.max(0, -right),
      outChannels,
    ];
    source = runKernelOn(target, 'Slice', { x: spread }, { begin, size });
    release(target, spread);
  }
  const flippedFilter = flippedTransposedFilter(target, filter);
  const dx = runKernelOn(
    target,
    'Conv2D',
    { x: source, filter: flippedFilter },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ],
      dilations: [1, 1],
      dataFormat: 'NHWC',
    },
  );
  release(target, source, flippedFilter);
  return dx;
}

export function conv2dBackpropInputKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const target = { backend: backend as tf.KernelBackend, backendName };
      return conv2dBackpropInput(target, dy, filter, attrs as unknown as BackpropInputAttrs);
    },
  };
}
