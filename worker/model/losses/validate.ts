// Input checks shared by the losses: they name the argument and its shape so a wiring mistake in the RoI head
// is found at the call, not as a broadcast error deep inside tfjs.
import type * as tf from '@tensorflow/tfjs';
import { LossOptionError, LossShapeError } from './errors.js';

/** Checks `logits` is a float32 [N, C+1] matrix with C >= 1 and returns C (the foreground class count). */
export function foregroundClassCount(logits: tf.Tensor, input = 'logits'): number {
  const [rows, columns] = logits.shape;
  if (logits.rank !== 2 || rows === undefined || columns === undefined || columns < 2) {
    throw new LossShapeError(input, logits.shape, '[N, C+1] with C >= 1 (the last column is background)');
  }
  if (logits.dtype !== 'float32') {
    throw new LossShapeError(input, logits.shape, `dtype float32, got ${logits.dtype}`);
  }
  return columns - 1;
}

/** Checks `labels` is an int32 vector with one entry per row of `logits`. */
export function assertLabelsMatchRows(labels: tf.Tensor, rows: number, input = 'labels'): void {
  if (labels.rank !== 1 || labels.shape[0] !== rows) {
    throw new LossShapeError(input, labels.shape, `[N] with N = ${rows} (one label per logits row)`);
  }
  if (labels.dtype !== 'int32') {
    throw new LossShapeError(input, labels.shape, `dtype int32, got ${labels.dtype}`);
  }
}

/** Checks every entry of a CPU label array is a class index in [0, limit). */
export function assertLabelRange(labels: ArrayLike<number>, limit: number, input = 'labels'): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? Number.NaN;
    if (!Number.isInteger(label) || label < 0 || label >= limit) {
      throw new LossOptionError(`${input}[${i}]`, label, `must be an integer class index in [0, ${limit})`);
    }
  }
}

/** Checks a numeric option lies in [min, max] (inclusive unless `open` says otherwise). */
export function assertInRange(
  option: string,
  value: number,
  min: number,
  max: number,
  open: { min?: boolean; max?: boolean } = {},
): void {
  const aboveMin = open.min === true ? value > min : value >= min;
  const belowMax = open.max === true ? value < max : value <= max;
  if (!Number.isFinite(value) || !aboveMin || !belowMax) {
    const lo = open.min === true ? '(' : '[';
    const hi = open.max === true ? ')' : ']';
    throw new LossOptionError(option, value, `must lie in ${lo}${min}, ${max}${hi}`);
  }
}

/** Checks a count option is a positive integer. */
export function assertPositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new LossOptionError(option, value, 'must be a positive integer');
  }
}
