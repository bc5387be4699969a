import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { absWithSignGradient } from '../../../../worker/internal.js';

describe('worker/model/losses: absWithSignGradient', function () {
  before(async function () {
    await tf.setBackend('cpu');
  });

  it('is |x| with gradient sign(x): 0 at 0, where stock tfjs gives -1', function () {
    const x = tf.tensor1d([-2, 0, 3]);
    const value = absWithSignGradient(x);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(absWithSignGradient(input)))(x);
    const stock = tf.grad((input: tf.Tensor) => tf.sum(tf.abs(input)))(x);
    expect(Array.from(value.dataSync())).to.deep.equal([2, 0, 3]);
    expect(Array.from(gradient.dataSync())).to.deep.equal([-1, 0, 1]);
    expect(stock.dataSync()[1], 'the tfjs behaviour this works around').to.equal(-1);
    tf.dispose([x, value, gradient, stock]);
  });
});
