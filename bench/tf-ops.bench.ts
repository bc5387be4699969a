// The key training ops in one run: conv2d 3x3 and RoIAlign, forward + backward, on wasm (XNNPACK, SIMD, one
// thread) against cpu (pure JS), both with the worker/tf overrides; and what three overrides save against the
// stock path they replace (wasm input gradient, wasm RoIAlign composed of gather/mul/scatterND, cpu filter
// gradient). Medians of a few steps after a warm-up; ratios > 1 mean the first figure is faster.
import * as tf from '@tensorflow/tfjs';
import {
  roiAlign,
  initTf,
  replacedKernel,
  sparseRowCombineKernelName,
  type TfBackendName,
} from '../worker/internal.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const repeats = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median wall time of `step` (which must read its result back, so that the work is really done). */
function timeSteps(step: () => void, signal: AbortSignal, times = repeats): number {
  step(); // warm-up: kernel set-up, JIT, first allocations
  const measured: number[] = [];
  for (let i = 0; i < times; i++) {
    signal.throwIfAborted();
    const start = performance.now();
    step();
    measured.push(performance.now() - start);
  }
  return median(measured);
}

function randomTensor(shape: number[]): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', 42);
}

/** conv2d 3x3 'same', [2, 64, 64, 32] -> 32 channels: forward, then the filter and input gradients. */
function convStep(): void {
  tf.tidy(() => {
    const x = randomTensor([2, 64, 64, 32]) as tf.Tensor4D;
    const w = randomTensor([3, 3, 32, 32]) as tf.Tensor4D;
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')),
    );
    const [dx, dw] = grads([x, w]);
    return tf.add(tf.sum(dx as tf.Tensor), tf.sum(dw as tf.Tensor)).dataSync();
  });
}

/** 256 RoIs of all sizes over P2-P5 of two 256x256 images with 64 channels, 7x7, adaptive sampling. */
function roiAlignStep(): void {
  const boxes: number[] = [];
  for (let i = 0; i < 256; i++) {
    const size = 16 + ((i * 37) % 240);
    const x = (i * 53) % (256 - Math.min(size, 255));
    const y = (i * 29) % (256 - Math.min(size, 255));
    boxes.push(x, y, x + size, y + size * (0.5 + (i % 3) * 0.5));
  }
  const rois = { boxes, batchIndices: boxes.filter((_, k) => k % 4 === 0).map((_, i) => i % 2) };
  tf.tidy(() => {
    const maps = [64, 32, 16, 8].map((side) => randomTensor([2, side, side, 64]) as tf.Tensor4D);
    const grads = tf.grads((...levels: tf.Tensor[]) => tf.sum(roiAlign(levels as tf.Tensor4D[], rois)))(maps);
    return tf.addN(grads.map((g) => tf.sum(g))).dataSync();
  });
}

/**
 * Runs `run` with the override of kernelName on backendName taken out: the stock kernel put back where there was
 * one, else (our own SparseRowCombine) no kernel, so that callers take their fallback path.
 */
function withoutOverride(kernelName: string, backendName: string, run: () => number): number {
  const override = tf.getKernel(kernelName, backendName);
  if (override === undefined) throw new Error(`no ${kernelName} override on ${backendName}`);
  const stock = replacedKernel(kernelName, backendName);
  tf.unregisterKernel(kernelName, backendName);
  if (stock !== undefined) tf.registerKernel(stock);
  try {
    return run();
  } finally {
    if (stock !== undefined) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(override);
  }
}

const benchmark: Benchmark = {
  title: 'tfjs training ops: wasm vs cpu backend (with the worker/tf overrides)',
  async run({ signal, log }) {
    const timings = new Map<string, number>();
    const measure = (key: string, step: () => void, times = repeats): number => {
      const milliseconds = timeSteps(step, signal, times);
      timings.set(key, milliseconds);
      return milliseconds;
    };
    for (const backend of ['wasm', 'cpu'] as TfBackendName[]) {
      await initTf({ backend, signal });
      measure(`conv ${backend}`, convStep);
      measure(`roiAlign ${backend}`, roiAlignStep);
      log(`measured ${backend}`);
    }
    await initTf({ backend: 'wasm', signal });
    withoutOverride(tf.Conv2DBackpropInput, 'wasm', () => measure('conv wasm, stock input grad', convStep));
    withoutOverride(sparseRowCombineKernelName, 'wasm', () =>
      measure('roiAlign wasm, composed', roiAlignStep),
    );
    await initTf({ backend: 'cpu', signal });
    // The stock kernel takes seconds per step: one measured step after the warm-up.
    withoutOverride(tf.Conv2DBackpropFilter, 'cpu', () =>
      measure('conv cpu, stock filter grad', convStep, 1),
    );
    log('measured the stock paths');
    const figure = (name: string, key: string, baseline: string): BenchFigure => {
      const value = timings.get(key) ?? NaN;
      const ratio = (timings.get(baseline) ?? NaN) / value;
      return { name, value, unit: 'ms', ratio: { value: ratio, against: `speed-up over ${baseline}` } };
    };
    return [
      figure('conv2d 3x3 2x64x64x32 fwd+bwd, wasm', 'conv wasm', 'conv cpu'),
      figure('conv2d 3x3 2x64x64x32 fwd+bwd, wasm', 'conv wasm', 'conv wasm, stock input grad'),
      figure('conv2d 3x3 2x64x64x32 fwd+bwd, cpu', 'conv cpu', 'conv cpu, stock filter grad'),
      figure('roiAlign 256 RoIs P2-P5 x64 fwd+bwd, wasm', 'roiAlign wasm', 'roiAlign cpu'),
      figure('roiAlign 256 RoIs P2-P5 x64 fwd+bwd, wasm', 'roiAlign wasm', 'roiAlign wasm, composed'),
    ];
  },
};

export default benchmark;
