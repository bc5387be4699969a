// The one helper module for tests of tfjs code (worker/tf and worker/model): backend selection, closeness
// checks, seeded tensors, central finite differences, and the spec's scalar formulas written out in float64 so
// expected values come from the spec, not from the code under test.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { initTf, nativeInstall, type TfBackendName, type TfRuntime } from '../../../worker/internal.js';

/** The two pure-JS/wasm backends whose kernels we replace. */
export const cpuBackends: TfBackendName[] = ['cpu', 'wasm'];
/** Every backend: the native one ('tensorflow') runs where scripts/tf-native.sh installed it (CI does). */
export const allBackends: TfBackendName[] = ['cpu', 'wasm', 'tensorflow'];

const native = nativeInstall();
/** Whether the native backend is installed here; when not, why (tests on it are pending with this reason). */
export const nativeMissing: string | undefined = native.installed
  ? undefined
  : `the native backend is not installed (${native.reason}); bash scripts/tf-native.sh installs it`;

/**
 * One `describe('on <backend>')` per backend, `body` registering its tests. The native backend, when not
 * installed, gets one pending test whose title says so and how to install it, instead of silently vanishing.
 */
export function forEachBackend(backends: TfBackendName[], body: (backend: TfBackendName) => void): void {
  for (const backend of backends) {
    describe(`on ${backend}`, () => {
      if (backend === 'tensorflow' && nativeMissing !== undefined) it(`skipped: ${nativeMissing}`);
      else body(backend);
    });
  }
}

/** Mocha `before` hook body: make `backend` active (overrides installed). */
export async function useBackend(backend: TfBackendName): Promise<TfRuntime> {
  return initTf({ backend });
}

/** Mocha `before` hook body for the model tests: the pure-JS cpu backend (overrides installed, as in runs). */
export async function useCpuBackend(): Promise<void> {
  await useBackend('cpu');
}

/** max|actual-expected| / max(max|expected|, floor): one relative figure for a whole tensor. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-12): number {
  expect(actual.length).to.equal(expected.length);
  let maxDiff = 0;
  let maxRef = floor;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
    maxRef = Math.max(maxRef, Math.abs(expected[i] ?? 0));
  }
  return Number.isNaN(maxDiff) ? Infinity : maxDiff / maxRef;
}

/** Deterministic pseudo-random values in [-1, 1) (an LCG: tests must not depend on Math.random). */
export function seededValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/** A random tensor of `shape`, seeded. */
export function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/**
 * Central finite differences of scalar `loss` with respect to every element of `x` (a plain array, so nothing
 * here touches the tape). The losses these tests differentiate are linear in x (weighted sums of conv, matMul,
 * slice, gather, scatter, bilinear outputs), so the central difference has no truncation error and `eps` can be
 * large: that keeps float32 cancellation error, about 1e-7 * sum|terms| / eps, near 1e-6 relative.
 */
export function finiteDifferences(
  loss: (x: tf.Tensor) => tf.Scalar,
  x: Float32Array,
  shape: number[],
  eps = 0.5,
): Float32Array {
  const grad = new Float32Array(x.length);
  const probe = Float32Array.from(x);
  const evaluate = () => tf.tidy(() => loss(tf.tensor(probe, shape)).dataSync()[0] ?? NaN);
  for (let i = 0; i < x.length; i++) {
    const original = probe[i] ?? 0;
    probe[i] = original + eps;
    const up = evaluate();
    probe[i] = original - eps;
    const down = evaluate();
    probe[i] = original;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/** The analytic gradient of `loss` at x, as a plain array. */
export function analyticGradient(
  loss: (x: tf.Tensor) => tf.Scalar,
  x: Float32Array,
  shape: number[],
): Float32Array {
  const grad = tf.tidy(() => tf.grad(loss)(tf.tensor(x, shape)));
  const values = Float32Array.from(grad.dataSync());
  grad.dispose();
  return values;
}

/** A linear probe sum(y * w) with fixed seeded weights w: turns any tensor-valued op into a scalar loss. */
export function weightedSum(y: tf.Tensor, seed = 7): tf.Scalar {
  return tf.sum(tf.mul(y, seededTensor(y.shape, seed)));
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
 * {@link finiteDifferences} for a scalar function of one [rows, columns] matrix given as nested arrays.
 * Returns d f / d x element by element, row-major.
 */
export function centralDifferences(f: (x: tf.Tensor2D) => tf.Scalar, at: number[][], step: number): number[] {
  const shape = [at.length, at[0]?.length ?? 0];
  return Array.from(finiteDifferences((x) => f(x as tf.Tensor2D), Float32Array.from(at.flat()), shape, step));
}
