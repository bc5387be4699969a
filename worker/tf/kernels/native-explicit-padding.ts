// tfjs-node ('tensorflow') Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, FusedConv2D, MaxPool and MaxPoolGrad
// with numeric (and, where the stock kernel lacks it, explicit) padding.
//
// Why: tfjs-node 4.22's kernels pass only 'SAME'/'VALID' to TensorFlow and throw "TF Backend supports only 'valid'
// and 'same' padding while padding was NUMBER"; the ResNet convs (`pad: 1`, `pad: 3`) and the stem's
// `maxPool(3, 2, 1)` use numeric padding. TensorFlow's own ops take padding='EXPLICIT' with
// explicit_paddings = [0, 0, top, bottom, left, right, 0, 0] (NHWC), gradients included, and tfjs' numeric pad p
// is exactly that with top = bottom = left = right = p (same output size: trunc((in - k + 2p) / s + 1)).
// How: numeric or explicit padding runs the TensorFlow op with EXPLICIT; 'same'/'valid' go to the stock kernel.
// Measured against: the cpu backend's kernels (test/worker/tf/native-padding.test.ts).
import * as tf from '@tensorflow/tfjs';
import { TfKernelError } from '../errors.js';

/** The part of tfjs-node's NodeJSKernelBackend these kernels use (the package is loaded dynamically). */
interface NativeBackend {
  binding: { TF_ATTR_INT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_ATTR_TYPE: number };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.TensorInfo;
  getDTypeInteger(dtype: tf.DataType): number;
}

interface OpAttr {
  name: string;
  type: number;
  value: number | number[] | string | boolean;
}

type Padding = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: Padding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: Padding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Numeric and explicit paddings go to TensorFlow as EXPLICIT; 'same'/'valid' stay with the stock kernel. */
function needsExplicit(pad: Padding): pad is number | tf.backend_util.ExplicitPadding {
  return typeof pad === 'number' ? pad !== 0 : typeof pad !== 'string';
}

function nhwcOnly(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new TfKernelError(kernelName, `numeric padding supports NHWC only, not ${dataFormat}`);
  }
}

/** explicit_paddings for NHWC from tfjs' computed pad info. */
function explicitPaddings(padInfo: tf.backend_util.PadInfo): number[] {
  return [0, 0, padInfo.top, padInfo.bottom, padInfo.left, padInfo.right, 0, 0];
}

function convOpAttrs(backend: NativeBackend, dtype: tf.DataType, info: tf.backend_util.Conv2DInfo): OpAttr[] {
  const { binding } = backend;
  return [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: backend.getDTypeInteger(dtype) },
    { name: 'strides', type: binding.TF_ATTR_INT, value: [1, info.strideHeight, info.strideWidth, 1] },
    { name: 'use_cudnn_on_gpu', type: binding.TF_ATTR_BOOL, value: true },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: 'EXPLICIT' },
    { name: 'explicit_paddings', type: binding.TF_ATTR_INT, value: explicitPaddings(info.padInfo) },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'dilations', type: binding.TF_ATTR_INT, value: [1, info.dilationHeight, info.dilationWidth, 1] },
  ];
}

function poolOpAttrs(backend: NativeBackend, dtype: tf.DataType, info: tf.backend_util.Conv2DInfo): OpAttr[] {
  const { binding } = backend;
  return [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: backend.getDTypeInteger(dtype) },
    { name: 'ksize', type: binding.TF_ATTR_INT, value: [1, info.filterHeight, info.filterWidth, 1] },
    { name: 'strides', type: binding.TF_ATTR_INT, value: [1, info.strideHeight, info.strideWidth, 1] },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: 'EXPLICIT' },
    { name: 'explicit_paddings', type: binding.TF_ATTR_INT, value: explicitPaddings(info.padInfo) },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
  ];
}

/** A shape as an int32 tensor on the native backend (TensorFlow's *_sizes inputs), disposed by the caller. */
function sizesTensor(values: number[]): tf.Tensor1D {
  return tf.tensor1d(values, 'int32');
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

type KernelFunc = tf.KernelConfig['kernelFunc'];

function override(kernelName: string, stock: KernelFunc, explicit: KernelFunc): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'tensorflow',
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as ConvAttrs;
      if (!needsExplicit(attrs.pad)) return stock(args);
      nhwcOnly(kernelName, attrs.dataFormat);
      return explicit(args);
    },
  };
}

/**
 * The overrides, each wrapping the stock tfjs-node kernel it replaces (`stockKernel` looks it up; call this once
 * the tfjs-node package has registered its kernels). Kernels the package lacks are left out.
 */
export function nativeExplicitPaddingKernels(
  stockKernel: (kernelName: string) => tf.KernelConfig | undefined,
): tf.KernelConfig[] {
  const configs: tf.KernelConfig[] = [];
  const add = (kernelName: string, explicit: KernelFunc) => {
    const stock = stockKernel(kernelName);
    if (stock !== undefined) configs.push(override(kernelName, stock.kernelFunc, explicit));
  };

  add(tf.Conv2D, ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const info = convInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs);
    const native = backend as unknown as NativeBackend;
    return native.executeSingleOutput(tf.Conv2D, convOpAttrs(native, x.dtype, info), [x, filter]);
  });

  /** TF's conv backprops take the shape they produce as an int32 tensor, in a kernel-specific input slot. */
  const backprop = (
    kernelName: string,
    native: NativeBackend,
    info: tf.backend_util.Conv2DInfo,
    shape: number[],
    operands: (sizes: tf.TensorInfo) => tf.TensorInfo[],
  ) => {
    const sizes = sizesTensor(shape);
    const result = native.executeSingleOutput(
      kernelName,
      convOpAttrs(native, 'float32', info),
      operands(sizes),
    );
    sizes.dispose();
    return result;
  };

  add(tf.Conv2DBackpropInput, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const info = convInfo(a.inputShape, filter.shape, a);
    const native = backend as unknown as NativeBackend;
    return backprop(tf.Conv2DBackpropInput, native, info, info.inShape, (sizes) => [sizes, filter, dy]);
  });

  add(tf.Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    const info = convInfo(x.shape, a.filterShape, a);
    const native = backend as unknown as NativeBackend;
    return backprop(tf.Conv2DBackpropFilter, native, info, info.filterShape, (sizes) => [x, sizes, dy]);
  });

  // The stock FusedConv2D calls the stock Conv2D implementation, which accepts explicit pads but not numbers:
  // hand it the same padding as an explicit list.
  const fused = stockKernel(tf.FusedConv2D);
  if (fused !== undefined) {
    configs.push({
      kernelName: tf.FusedConv2D,
      backendName: 'tensorflow',
      kernelFunc: (args) => {
        const attrs = args.attrs as unknown as ConvAttrs;
        if (typeof attrs.pad !== 'number' || attrs.pad === 0) return fused.kernelFunc(args);
        const p = attrs.pad;
        const pad: tf.backend_util.ExplicitPadding = [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ];
        return fused.kernelFunc({ ...args, attrs: { ...args.attrs, pad } });
      },
    });
  }

  const poolInfo = (shape: number[], a: PoolAttrs) =>
    tf.backend_util.computePool2DInfo(
      shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );

  add(tf.MaxPool, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const native = backend as unknown as NativeBackend;
    const info = poolInfo(x.shape, attrs as unknown as PoolAttrs);
    return native.executeSingleOutput(tf.MaxPool, poolOpAttrs(native, x.dtype, info), [x]);
  });

  add(tf.MaxPoolGrad, ({ inputs, backend, attrs }) => {
    const { dy, input, output } = inputs as {
      dy: tf.TensorInfo;
      input: tf.TensorInfo;
      output: tf.TensorInfo;
    };
    const native = backend as unknown as NativeBackend;
    const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
    return native.executeSingleOutput(tf.MaxPoolGrad, poolOpAttrs(native, input.dtype, info), [
      input,
      output,
      dy,
    ]);
  });

  return configs;
}
