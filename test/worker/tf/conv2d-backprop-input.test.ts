import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { convCases, describeCase } from './conv-cases.js';
import { forEachBackend, relativeError, seededTensor, useBackend } from './helpers.js';

// wasm: the zero-insert + flipped-conv override; tensorflow: TensorFlow's own kernel, with numeric and explicit
// padding passed as EXPLICIT (worker/tf/kernels/native-explicit-padding.ts). cpu keeps its stock kernel, the
// reference.
describe('worker/tf Conv2DBackpropInput on wasm (zero-insert + flipped conv) and tensorflow', () => {
  // Same reasoning as the filter gradient: reordered float32 sums of the same products, 1e-5 relative.
  const tolerance = 1e-5;
  forEachBackend(['wasm', 'tensorflow'], (backend) => {
    for (const c of convCases) {
      it(`matches the native cpu kernel for ${describeCase(c)}`, async () => {
        await useBackend('cpu'); // cpu keeps its native Conv2DBackpropInput
        const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.xShape[3], 4];
        const filter = seededTensor(filterShape, 19) as tf.Tensor4D;
        const outShape = tf.tidy(
          () => tf.conv2d(tf.zeros<tf.Rank.R4>(c.xShape), filter, c.stride, c.pad).shape,
        );
        const dy = seededTensor(outShape, 23) as tf.Tensor4D;
        const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: c.xShape };
        const run = () => tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy, filter }, attrs);
        const expected = run();
        await useBackend(backend);
        const actual = run();
        expect(actual.shape).to.deep.equal(c.xShape);
        expect(relativeError(actual.dataSync(), expected.dataSync())).to.be.below(tolerance);
        tf.dispose([filter, dy, expected, actual]);
      });
    }
  });
});
