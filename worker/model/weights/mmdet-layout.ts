// Where a tensor's values sit in PyTorch (mmdetection's state dict) and in tfjs (the detector's variables), and
// the conversion from the first to the second. Pure index arithmetic on Float32Arrays, no tfjs:
//
//   'same'              biases, BN weight/bias/running_mean/running_var: [C] both sides
//   'conv'              torch Conv2d OIHW [out, in, kh, kw]  ->  tfjs HWIO [kh, kw, in, out]
//   'linear'            torch Linear [out, in]               ->  tfjs dense kernel [in, out]   (y = x·W + b)
//   'flattened-linear'  a Linear fed by a flattened [C, H, W] map (mmdet's `shared_fcs.0` after RoIAlign):
//                       torch input feature c·H·W + y·W + x is tfjs' NHWC-flattened (y·W + x)·C + c, so
//                       W_tf[(y·W + x)·C + c, o] = W_torch[o, c·H·W + y·W + x]
import { oihwToHwio } from './torchvision-resnet.js';

export type TorchLayout =
  | { kind: 'same' }
  | { kind: 'conv' }
  | { kind: 'linear' }
  | { kind: 'flattened-linear'; height: number; width: number; channels: number };

/** The layout a variable of this rank has unless it is a flattened-input Linear: 4 conv, 2 linear, else same. */
export function layoutForRank(rank: number): TorchLayout {
  return rank === 4 ? { kind: 'conv' } : rank === 2 ? { kind: 'linear' } : { kind: 'same' };
}

/** The shape the file holds for a variable of tfjs shape `shape`. */
export function torchShape(shape: readonly number[], layout: TorchLayout): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = shape;
  switch (layout.kind) {
    case 'conv':
      return [d, c, a, b];
    case 'linear':
    case 'flattened-linear':
      return [b, a];
    case 'same':
      return [...shape];
  }
}

/** torch Linear [out, in] → [in, out]. */
export function transposeLinear(
  values: Float32Array,
  [out = 0, inputs = 0]: readonly number[],
): Float32Array {
  const result = new Float32Array(values.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inputs; i++) result[i * out + o] = values[o * inputs + i] ?? NaN;
  }
  return result;
}

/** torch Linear [out, C·H·W] on a CHW-flattened input → [H·W·C, out] on an HWC-flattened one. */
export function flattenedLinearToNhwc(
  values: Float32Array,
  [out = 0]: readonly number[],
  { height, width, channels }: { height: number; width: number; channels: number },
): Float32Array {
  const plane = height * width;
  const inputs = channels * plane;
  const result = new Float32Array(values.length);
  for (let o = 0; o < out; o++) {
    for (let c = 0; c < channels; c++) {
      for (let p = 0; p < plane; p++) {
        result[(p * channels + c) * out + o] = values[o * inputs + c * plane + p] ?? NaN;
      }
    }
  }
  return result;
}

/** The file's values (torch layout, shape `fileShape`) in the variable's layout. */
export function fromTorchLayout(
  values: Float32Array,
  fileShape: readonly number[],
  layout: TorchLayout,
): Float32Array {
  switch (layout.kind) {
    case 'conv':
      return oihwToHwio(values, [...fileShape]);
    case 'linear':
      return transposeLinear(values, fileShape);
    case 'flattened-linear':
      return flattenedLinearToNhwc(values, fileShape, layout);
    case 'same':
      return values;
  }
}
