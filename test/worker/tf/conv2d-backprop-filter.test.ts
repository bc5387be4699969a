import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { replacedKernel } from '../../../worker/internal.js';
import { type ConvCase, convCases, describeCase } from './conv-cases.js';
import {
  analyticGradient,
  allBackends,
  forEachBackend,
  nativeMissing,
  finiteDifferences,
  relativeError,
  seededTensor,
  seededValues,
  useBackend,
  weightedSum,
} from './helpers.js';

/** The stock cpu Conv2DBackpropFilter kernel (the one the override replaced), run directly. */
function nativeCpuFilterGrad(x: tf.Tensor, dy: tf.Tensor, filterShape: number[], c: ConvCase): Float32Array {
  const native = replacedKernel(tf.Conv2DBackpropFilter, 'cpu');
  if (native === undefined) throw new Error('the cpu Conv2DBackpropFilter kernel was not recorded');
  const info = native.kernelFunc({
    inputs: { x, dy },
    backend: tf.backend(),
    attrs: {
      strides: [c.stride, c.stride],
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape,
    },
  }) as tf.TensorInfo;
  const result = tf.engine().makeTensorFromTensorInfo(info);
  const values = Float32Array.from(result.dataSync());
  result.dispose();
  return values;
}

describe('worker/tf Conv2DBackpropFilter override (conv-swap)', () => {
  it('is not installed on tensorflow, which keeps its native kernel (numeric padding added)', async () => {
    if (nativeMissing !== undefined) return;
    const runtime = await useBackend('tensorflow');
    expect(runtime.overrides).to.include('tensorflow/Conv2DBackpropFilter');
    expect(runtime.overrides).to.not.include('tensorflow/UnsortedSegmentSum');
    // The registered kernel wraps the stock tfjs-node one, not the conv-swap composition.
    expect(replacedKernel(tf.Conv2DBackpropFilter, 'tensorflow')?.backendName).to.equal('tensorflow');
  });

  // The native cpu kernel is an independent direct loop; the override composes transposes and a dilated conv.
  // Both accumulate the same float32 products in different orders, so they agree to a few ulps of the largest
  // sum: 1e-5 relative leaves room over the 5.3e-7 tfjs-notes measured while catching any indexing mistake
  // (those give O(1) errors).
  const tolerance = 1e-5;
  forEachBackend(allBackends, (backend) => {
    for (const c of convCases) {
      it(`matches the native cpu kernel for ${describeCase(c)}`, async () => {
        await useBackend('cpu');
        const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.xShape[3], 4];
        const x = seededTensor(c.xShape, 11);
        const outShape = tf.tidy(
          () => tf.conv2d(x as tf.Tensor4D, tf.zeros<tf.Rank.R4>(filterShape), c.stride, c.pad).shape,
        );
        const dy = seededTensor(outShape, 13);
        const expected = nativeCpuFilterGrad(x, dy, filterShape, c);
        await useBackend(backend);
        // The op tf.conv2DBackpropFilter is not exported; the engine dispatches to the registered override.
        const actual = tf.engine().runKernel<tf.Tensor>(
          tf.Conv2DBackpropFilter,
          { x, dy },
          {
            strides: [c.stride, c.stride],
            pad: c.pad,
            dataFormat: 'NHWC',
            filterShape,
          },
        );
        expect(actual.shape).to.deep.equal(filterShape);
        expect(relativeError(actual.dataSync(), expected)).to.be.below(tolerance);
        tf.dispose([x, dy, actual]);
      });
    }
  });

  it('trains a conv on wasm, where stock tfjs has no filter gradient', async () => {
    await useBackend('wasm');
    const grad = tf.tidy(() => {
      const x = seededTensor([1, 6, 6, 2], 3) as tf.Tensor4D;
      return tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(
        tf.ones([3, 3, 2, 2]),
      );
    });
    expect(grad.shape).to.deep.equal([3, 3, 2, 2]);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).to.equal(true);
    grad.dispose();
  });

  it('gives tf.fused.conv2d (stride 2, bias) a filter gradient on wasm that matches finite differences', async () => {
    // fused.conv2d differentiates through the Conv2DBackpropFilter/Input kernels directly, not the Conv2D gradient.
    await useBackend('wasm');
    const shape = [3, 3, 2, 3];
    const x = seededTensor([1, 7, 7, 2], 5) as tf.Tensor4D;
    const bias = seededTensor([3], 6) as tf.Tensor1D;
    const loss = (w: tf.Tensor) =>
      weightedSum(tf.fused.conv2d({ x, filter: w as tf.Tensor4D, bias, strides: 2, pad: 'same' }));
    const filter = seededValues(3 * 3 * 2 * 3, 8);
    // Linear in the filter (helpers.ts): 1e-5 relative, as for the other gradient checks.
    expect(
      relativeError(analyticGradient(loss, filter, shape), finiteDifferences(loss, filter, shape)),
    ).to.be.below(1e-5);
    tf.dispose([x, bias]);
  });
});
