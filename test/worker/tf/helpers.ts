// Shared test helpers for tfjs code: backend selection, closeness checks and central finite differences.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { initTf, type TfBackendName } from '../../../worker/tf/index.js';

/** The two CPU backends every override is checked on. */
export const cpuBackends: TfBackendName[] = ['cpu', 'wasm'];

/** Mocha `before` hook body: make `backend` active (overrides installed). */
export async function useBackend(backend: TfBackendName): Promise<void> {
  await initTf({ backend });
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
