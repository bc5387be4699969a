// Conv2DBackpropFilter (the weight gradient of every conv) as a composition of fast kernels.
//
// Why: the wasm backend has no Conv2DBackpropFilter kernel at all (training a conv throws "Kernel
// 'Conv2DBackpropFilter' not registered"), and the cpu backend's native one is 20-90x slower than this (tfjs-notes
// §4.1: 89% of a tiny-ResNet step; 15.4 s vs 413 ms for an R50 56x56x64 3x3 layer).
// How: the "conv-swap" identity. dW[kh,kw,ci,co] = sum over n,oh,ow of xPad[n, oh*s+kh, ow*s+kw, ci]*dy[n,oh,ow,co]
// is a forward conv of x with batch and channels swapped ([Ci,H,W,N]) by dy as the filter ([OH,OW,N,Co]), with
// dilation = the forward stride; on wasm it runs through XNNPACK. A 1x1 stride-1 unpadded conv is one matMul.
// Measured against: the native cpu kernel (test/worker/tf/conv2d-backprop-filter.test.ts).
import * as tf from '@tensorflow/tfjs';
import { TfKernelError } from '../errors.js';
import { type KernelTarget, release, runKernelOn } from '../kernel-compose.js';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter(
  target: KernelTarget,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: BackpropFilterAttrs,
): tf.TensorInfo {
  if (attrs.dataFormat !== 'NHWC') {
    throw new TfKernelError('Conv2DBackpropFilter', `only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { strideHeight, strideWidth, filterHeight, filterWidth, outHeight, outWidth, padInfo } = info;
  const [batch, height, width, inChannels] = x.shape as [number, number, number, number];
  const isUnpadded = padInfo.top === 0 && padInfo.bottom === 0 && padInfo.left === 0 && padInfo.right === 0;
  const isPointwise = filterHeight === 1 && filterWidth === 1 && strideHeight === 1 && strideWidth === 1;
  if (isPointwise && isUnpadded) return pointwiseFilterGrad(target, x, dy, attrs.filterShape);

  // Rows/columns of x past the last window are never read: drop them instead of padding negatively.
  const bottomPad = (outHeight - 1) * strideHeight + filterHeight - height - padInfo.top;
  const rightPad = (outWidth - 1) * strideWidth + filterWidth - width - padInfo.left;
  const cropped =
    bottomPad < 0 || rightPad < 0
      ? runKernelOn(
          target,
          'Slice',
          { x },
          {
            begin: [0, 0, 0, 0],
            size: [batch, height + Math.min(0, bottomPad), width + Math.min(0, rightPad), inChannels],
          },
        )
      : x;
  const xSwapped = runKernelOn(target, 'Transpose', { x: cropped }, { perm: [3, 1, 2, 0] });
  if (cropped !== x) release(target, cropped);
  const dySwapped = runKernelOn(target, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const swappedGrad = runKernelOn(
    target,
    'Conv2D',
    { x: xSwapped, filter: dySwapped },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padInfo.top, Math.max(0, bottomPad)],
        [padInfo.left, Math.max(0, rightPad)],
        [0, 0],
      ],
      dilations: [strideHeight, strideWidth],
      dataFormat: 'NHWC',
    },
  );
  release(target, xSwapped, dySwapped);
  const filterGrad = runKernelOn(target, 'Transpose', { x: swappedGrad }, { perm: [1, 2, 0, 3] });
  release(target, swappedGrad);
  return filterGrad;
}

/** 1x1, stride 1, no padding: dW = x^T dy over all pixels, with the transpose explicit (fast on wasm, §4.1). */
function pointwiseFilterGrad(
  target: KernelTarget,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: [number, number, number, number],
): tf.TensorInfo {
  const inChannels = filterShape[2];
  const outChannels = filterShape[3];
  const pixels = x.shape.reduce((a, b) => a * b, 1) / inChannels;
  const xRows = runKernelOn(target, 'Reshape', { x }, { shape: [1, pixels, inChannels] });
  const xCols = runKernelOn(target, 'Transpose', { x: xRows }, { perm: [0, 2, 1] });
  const dyRows = runKernelOn(target, 'Reshape', { x: dy }, { shape: [1, pixels, outChannels] });
  const product = runKernelOn(
    target,
    'BatchMatMul',
    { a: xCols, b: dyRows },
    { transposeA: false, transposeB: false },
  );
  release(target, xRows, xCols, dyRows);
  const filterGrad = runKernelOn(target, 'Reshape', { x: product }, { shape: filterShape });
  release(target, product);
  return filterGrad;
}

/** The kernel config for one backend (cpu or wasm). */
export function conv2dBackpropFilterKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      return conv2dBackpropFilter(
        { backend: backend as tf.KernelBackend, backendName },
        x,
        dy,
        attrs as unknown as BackpropFilterAttrs,
      );
    },
  };
}
