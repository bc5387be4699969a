import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { roiAlign } from '../../../worker/internal.js';
import { allBackends, forEachBackend, seededTensor, useBackend } from './helpers.js';

/** A tiny detector-shaped step: conv (filter grad override), two FPN-like levels, RoIAlign, fc (matMul grad). */
function makeStep(prefix: string): { step: () => number; dispose: () => void } {
  const variable = <R extends tf.Rank>(shape: number[], seed: number, name: string): tf.Variable<R> =>
    tf.tidy(() => tf.variable(seededTensor(shape, seed) as tf.Tensor<R>, true, `${prefix}/${name}`));
  const filter = variable<tf.Rank.R4>([3, 3, 2, 4], 1, 'conv');
  const fc = variable<tf.Rank.R2>([3 * 3 * 4, 5], 2, 'fc');
  const image = seededTensor([2, 16, 16, 2], 3) as tf.Tensor4D;
  const rois = { boxes: [1, 2, 9, 12, 0, 0, 16, 16, 4, 4, 30, 28], batchIndices: [0, 1, 1] };
  const optimizer = tf.train.momentum(0.01, 0.9);
  const loss = (): tf.Scalar => {
    const p2 = tf.relu(tf.conv2d(image, filter, 1, 'same'));
    const p3 = tf.avgPool(p2, 2, 2, 'valid');
    const pooled = roiAlign([p2, p3], rois, { outputSize: 3, featmapStrides: [1, 2], finestScale: 8 });
    const logits = tf.matMul(tf.reshape<tf.Rank.R2>(pooled, [3, -1]), fc);
    // Sliced with stridedSlice so that its gradient override is on the path too.
    return tf.mean(tf.square(tf.stridedSlice(logits, [0, 1], [3, 5], [1, 2])));
  };
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      return value.dataSync()[0] ?? NaN;
    });
  const dispose = () => {
    tf.dispose([filter, fc, image]);
    optimizer.dispose();
  };
  return { step, dispose };
}

describe('worker/tf overrides and roiAlign leak no tensors', () => {
  forEachBackend(allBackends, (backend) => {
    it(`keeps tf.memory().numTensors constant over training steps`, async () => {
      await useBackend(backend);
      const { step, dispose } = makeStep(`leak-${backend}`);
      const first = step(); // creates the momentum accumulators
      const baseline = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 5; i++) last = step();
      expect(tf.memory().numTensors).to.equal(baseline);
      expect(last).to.be.below(first); // it trains: the loss goes down
      dispose();
    });
  });
});
