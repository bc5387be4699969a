// Which tfjs backends work on this machine: each is started and runs a small conv + matMul forward and backward
// (the detector's hot ops) that must match the pure-JS cpu backend, in well under a second each.
import * as tf from '@tensorflow/tfjs';
import { type TfBackendName } from './backend-choice.js';
import { describeRuntime, initTf } from './init-tf.js';
import { nativeInstall, nativeInstallHint } from './native.js';

export interface BackendReport {
  backend: TfBackendName;
  available: boolean;
  /** The start-up line (TensorFlow version, GPU use, threads), or why it is not available. */
  detail: string;
  /** Largest error against cpu, relative to the largest value (cpu itself is the reference: 0). */
  maxRelativeError?: number;
  selfTestMs?: number;
  ok: boolean;
}

/** Differences above this mean a broken kernel, not float32 summation order (measured: about 1e-6). */
export const selfTestTolerance = 1e-4;

/** conv2d (numeric padding, stride 2) + matMul + relu, and the gradients of both inputs: one flat array. */
function probe(): Float32Array {
  return tf
    .tidy(() => {
      const x = tf.sin<tf.Tensor4D>(tf.reshape(tf.range(0, 2 * 16 * 16 * 8), [2, 16, 16, 8]));
      const w = tf.cos<tf.Tensor4D>(tf.reshape(tf.range(0, 3 * 3 * 8 * 16), [3, 3, 8, 16]));
      const m = tf.mul<tf.Tensor2D>(tf.cos(tf.reshape(tf.range(0, 16 * 4), [16, 4])), 0.1);
      const loss = (a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 1));
        return tf.sum(tf.matMul(tf.reshape(y, [-1, 16]), m));
      };
      const [dx, dw] = tf.grads(loss)([x, w]);
      const parts = [loss(x, w), dx, dw].map((t) => tf.reshape(t as tf.Tensor, [-1]));
      return tf.concat(parts);
    })
    .dataSync() as Float32Array;
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return Number.isNaN(diff) || actual.length !== expected.length ? Infinity : diff / scale;
}

/** Starts each backend in turn (tensorflow only if installed) and self-tests it; leaves cpu active. */
export async function checkBackends(signal?: AbortSignal): Promise<BackendReport[]> {
  await initTf({ backend: 'cpu', signal });
  const reference = probe();
  const reports: BackendReport[] = [];
  for (const backend of ['tensorflow', 'wasm', 'cpu'] as const) {
    signal?.throwIfAborted();
    if (backend === 'tensorflow') {
      const install = nativeInstall();
      if (!install.installed) {
        reports.push({
          backend,
          available: false,
          ok: false,
          detail: `not installed: ${install.reason}. Try this: ${nativeInstallHint}`,
        });
        continue;
      }
    }
    let detail: string;
    try {
      detail = describeRuntime(await initTf({ backend, signal }));
    } catch (error) {
      signal?.throwIfAborted();
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      detail = `${error instanceof Error ? error.message : String(error)}${cause}`.split('\n')[0] ?? '';
      reports.push({ backend, available: false, ok: false, detail });
      continue;
    }
    probe(); // warm-up: the first run compiles/plans kernels
    const started = performance.now();
    const values = probe();
    const selfTestMs = performance.now() - started;
    const error = maxRelativeError(values, reference);
    reports.push({
      backend,
      available: true,
      detail,
      maxRelativeError: error,
      selfTestMs,
      ok: error <= selfTestTolerance,
    });
  }
  await initTf({ backend: 'cpu', signal });
  return reports;
}
