// Shared by the loss tests: the cpu backend, reading tensors back, closeness checks, and the spec's scalar
// formulas written out in float64 so expected values come from the spec, not from the code under test.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';

export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** The logit whose sigmoid is p: ln(p / (1 − p)). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** σ(s) = 1 / (1 + e^{−s}). */
export function sigmoid(s: number): number {
  return 1 / (1 + Math.exp(-s));
}

/** ℓ(s, t) = −t·ln σ(s) − (1−t)·ln(1−σ(s)) (spec 2.5) for t ∈ {0, 1}: ln(1 + e^{−s}) or ln(1 + e^{s}). */
export function bceTerm(s: number, t: 0 | 1): number {
  return t === 1 ? Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
}

/** Reads a tensor back as a flat number array (and disposes nothing: the caller owns it). */
export function values(tensor: tf.Tensor): number[] {
  return Array.from(tensor.dataSync());
}

/** Element-wise |actual − expected| <= tolerance, with the first offending index in the message. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what = 'value',
): void {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const e = expected[i] ?? Number.NaN;
    expect(Math.abs(a - e), `${what}[${i}]: got ${a}, expected ${e}`).to.be.at.most(tolerance);
  }
}

/** A generator that replays `sequence` (and fails the test if asked for more). */
export function replay(sequence: readonly number[]): () => number {
  let next = 0;
  return () => {
    const value = sequence[next];
    if (value === undefined) throw new Error(`replay: asked for draw ${next + 1} of ${sequence.length}`);
    next++;
    return value;
  };
}

/**
 * Central finite differences of a scalar function of one [rows, columns] tensor, evaluated by tfjs (float32).
 * Returns d f / d x element by element, row-major.
 */
export function centralDifferences(f: (x: tf.Tensor2D) => tf.Scalar, at: number[][], step: number): number[] {
  const flat = at.flat();
  const columns = at[0]?.length ?? 0;
  return flat.map((_, index) => {
    const evaluate = (delta: number): number =>
      tf.tidy(() => {
        const moved = flat.map((value, i) => (i === index ? value + delta : value));
        return f(tf.tensor2d(moved, [at.length, columns])).dataSync()[0] ?? Number.NaN;
      });
    return (evaluate(step) - evaluate(-step)) / (2 * step);
  });
}
