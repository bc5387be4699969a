import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { convCases, describeCase } from './conv-cases.js';
import { forEachBackend, nativeMissing, relativeError, seededTensor, useBackend } from './helpers.js';

/** Runs `f` on cpu (the reference) and on tensorflow; returns both results as plain arrays with their shapes. */
async function onBoth(f: () => tf.Tensor): Promise<{ expected: tf.Tensor; actual: tf.Tensor }> {
  await useBackend('cpu');
  const expected = f();
  await useBackend('tensorflow');
  const actual = f();
  return { expected, actual };
}

// tfjs-node 4.22 refuses numeric padding in its conv and max-pool kernels; the overrides pass it to TensorFlow as
// EXPLICIT. Reference: the cpu backend's kernels. Tolerance: reordered float32 sums, 1e-5 relative (as for the
// other kernel checks; measured about 1e-6).
describe('worker/tf native (tensorflow) kernels with numeric padding', () => {
  const tolerance = 1e-5;

  it('installs only the padding kernels and the gradients on tensorflow', async function () {
    if (nativeMissing !== undefined) this.skip();
    const runtime = await useBackend('tensorflow');
    const kernels = runtime.overrides.filter((name) => !name.startsWith('gradient/'));
    expect(kernels).to.have.members([
      'tensorflow/Conv2D',
      'tensorflow/Conv2DBackpropInput',
      'tensorflow/Conv2DBackpropFilter',
      'tensorflow/FusedConv2D',
      'tensorflow/MaxPool',
      'tensorflow/MaxPoolGrad',
    ]);
    expect(runtime.overrides).to.include('gradient/CropAndResize');
  });

  forEachBackend(['tensorflow'], () => {
    for (const c of convCases) {
      it(`conv2d forward and both gradients match cpu for ${describeCase(c)}`, async () => {
        const x = seededTensor(c.xShape, 3) as tf.Tensor4D;
        const w = seededTensor([c.kernel, c.kernel, c.xShape[3], 4], 5) as tf.Tensor4D;
        const outputs: Record<string, Float32Array>[] = [];
        for (const backend of ['cpu', 'tensorflow'] as const) {
          await useBackend(backend);
          const [y, dx, dw] = tf.tidy(() => {
            const f = (a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), 0.5));
            const [ga, gb] = tf.grads(f)([x, w]);
            return [tf.conv2d(x, w, c.stride, c.pad), ga, gb] as tf.Tensor[];
          });
          outputs.push({
            y: Float32Array.from(y?.dataSync() ?? []),
            dx: Float32Array.from(dx?.dataSync() ?? []),
            dw: Float32Array.from(dw?.dataSync() ?? []),
          });
          tf.dispose([y, dx, dw]);
        }
        const [cpu, native] = outputs as [Record<string, Float32Array>, Record<string, Float32Array>];
        for (const key of ['y', 'dx', 'dw']) {
          expect(relativeError(native[key] ?? [], cpu[key] ?? []), key).to.be.below(tolerance);
        }
        tf.dispose([x, w]);
      });
    }

    it('fused conv2d with numeric padding, bias and relu matches cpu', async () => {
      const x = seededTensor([2, 9, 10, 3], 7) as tf.Tensor4D;
      const filter = seededTensor([3, 3, 3, 5], 8) as tf.Tensor4D;
      const bias = seededTensor([5], 9) as tf.Tensor1D;
      const { expected, actual } = await onBoth(() =>
        tf.fused.conv2d({ x, filter, bias, strides: 2, pad: 1, activation: 'relu' }),
      );
      expect(actual.shape).to.deep.equal(expected.shape);
      expect(relativeError(actual.dataSync(), expected.dataSync())).to.be.below(tolerance);
      tf.dispose([x, filter, bias, expected, actual]);
    });

    for (const [size, stride, pad] of [
      [3, 2, 1], // the ResNet stem
      [2, 2, 1],
      [3, 1, 'same'],
    ] as const) {
      it(`maxPool(${size}, ${stride}, ${pad}) and its gradient match cpu`, async () => {
        const x = seededTensor([2, 11, 9, 3], 12) as tf.Tensor4D;
        const f = () =>
          tf.tidy(() => {
            const y = tf.maxPool(x, size, stride, pad);
            const dx = tf.grad((a: tf.Tensor) =>
              tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), y)),
            )(x);
            return tf.concat([y.flatten(), dx.flatten()]);
          });
        const { expected, actual } = await onBoth(f);
        expect(relativeError(actual.dataSync(), expected.dataSync())).to.be.below(tolerance);
        tf.dispose([x, expected, actual]);
      });
    }
  });
});
