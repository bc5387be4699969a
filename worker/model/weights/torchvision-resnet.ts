// Imports ImageNet ResNet-50/101 weights saved from torchvision (`torchvision://resnet50`, spec 1.2) as
// safetensors. mmdet's ResNet uses torchvision's module names, so `conv1.weight`, `bn1.running_mean`,
// `layer2.0.conv2.weight`, `layer3.0.downsample.0.weight` (conv) and `.downsample.1.*` (BN) map to the
// backbone's parameters by adding the `backbone.` prefix. Conv weights are transposed from torch's OIHW to
// tfjs' HWIO. Nothing is assigned unless every backbone tensor is present with the right shape.
//
// Deliberately ignored, as mmdet's non-strict `load_checkpoint` ignores them:
// - `fc.weight`, `fc.bias`: the ImageNet 1000-class classifier; the detector classifies with its own RoI head.
// - `*.num_batches_tracked`: BN's update counter, only read by train-mode BN with momentum=None; norm_eval=True
//   never updates the running statistics (spec 1.2).
import type { SafetensorsFile } from './safetensors.js';
import { safetensorsFloat32 } from './safetensors.js';
import { assignTargets, type WeightTarget } from './checkpoint.js';
import { WeightsMismatchError, type TensorMismatch } from './errors.js';
import type { NamedArray } from './tensor-blob.js';

export interface IgnoredTensor {
  name: string;
  reason: string;
}

export interface ImportReport {
  /** Model names assigned. */
  loaded: string[];
  /** File tensors skipped on purpose, each with why. */
  ignored: IgnoredTensor[];
}

/** Why a torchvision tensor has no place in the detector, or undefined when it should. */
export function ignoredReason(torchName: string): string | undefined {
  if (torchName === 'fc.weight' || torchName === 'fc.bias') {
    return 'the ImageNet classifier; the detector classifies with its RoI head';
  }
  if (torchName.endsWith('.num_batches_tracked')) {
    return 'a train-mode BN counter; BN runs in eval mode (norm_eval=True)';
  }
  return undefined;
}

/** torch's OIHW [out, in, kh, kw] → HWIO [kh, kw, in, out]. */
export function oihwToHwio(values: Float32Array, [out, inChannels, kh, kw]: number[]): Float32Array {
  const [o, i, h, w] = [out ?? 0, inChannels ?? 0, kh ?? 0, kw ?? 0];
  const result = new Float32Array(values.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          result[((y * w + x) * i + b) * o + a] = values[((a * i + b) * h + y) * w + x] ?? NaN;
        }
      }
    }
  }
  return result;
}

/** The torch shape a target of HWIO shape `shape` has in the file. */
const torchShape = (shape: readonly number[]): number[] =>
  shape.length === 4 ? [shape[3] ?? 0, shape[2] ?? 0, shape[0] ?? 0, shape[1] ?? 0] : [...shape];

/**
 * Assigns the backbone's parameters and BN statistics (the targets named `${prefix}.*`) from a torchvision
 * ResNet state dict. Throws WeightsMismatchError listing every missing, unexpected and mis-shaped tensor.
 */
export function importTorchvisionResNet(
  targets: readonly WeightTarget[],
  file: SafetensorsFile,
  prefix = 'backbone',
): ImportReport {
  const backbone = targets.filter((target) => target.name.startsWith(`${prefix}.`));
  const ignored: IgnoredTensor[] = [];
  const expectedTorchNames = new Set(backbone.map((target) => target.name.slice(prefix.length + 1)));
  const unexpected: string[] = [];
  for (const name of file.tensors.keys()) {
    const reason = ignoredReason(name);
    if (reason !== undefined) ignored.push({ name, reason });
    else if (!expectedTorchNames.has(name)) unexpected.push(name);
  }
  const missing: string[] = [];
  const mismatched: TensorMismatch[] = [];
  const arrays: NamedArray[] = [];
  for (const target of backbone) {
    const torchName = target.name.slice(prefix.length + 1);
    const entry = file.tensors.get(torchName);
    const wanted = torchShape(target.variable.shape);
    if (entry === undefined) {
      missing.push(torchName);
    } else if (!['F32', 'F16', 'BF16', 'F64'].includes(entry.dtype) || !sameShape(entry.shape, wanted)) {
      mismatched.push({
        name: torchName,
        expected: `float [${wanted.join(', ')}]`,
        actual: `${entry.dtype} [${entry.shape.join(', ')}]`,
      });
    } else {
      const values = safetensorsFloat32(entry, file.source);
      const data = entry.shape.length === 4 ? oihwToHwio(values, entry.shape) : values;
      arrays.push({
        name: target.name,
        kind: target.kind,
        dtype: 'float32',
        shape: [...target.variable.shape],
        data,
      });
    }
  }
  if (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0) {
    throw new WeightsMismatchError(file.source, { missing, unexpected, mismatched });
  }
  assignTargets(backbone, arrays, { source: file.source });
  return { loaded: arrays.map((array) => array.name), ignored };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}
