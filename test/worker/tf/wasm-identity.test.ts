import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { useBackend } from './helpers.js';

describe('worker/tf wasm Identity override (shared reference)', () => {
  before(() => useBackend('wasm'));

  it('clones share the data and each keeps it alive after the other is disposed', () => {
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const original = tf.tensor([1, 2, 3, 4], [2, 2]);
    const copy = tf.clone(original);
    expect(tf.memory().numTensors).to.equal(before + 2);
    original.dispose();
    expect(Array.from(copy.dataSync())).to.deep.equal([1, 2, 3, 4]);
    copy.dispose();
    expect(tf.memory().numTensors).to.equal(before);
    expect(tf.memory().numBytes).to.equal(bytesBefore);
  });

  it('hands back the same data id with one more reference instead of a copy', () => {
    const original = tf.tensor([5, 6], [2]);
    const copy = tf.clone(original);
    expect(copy.dataId).to.equal(original.dataId);
    expect(tf.backend().refCount(original.dataId)).to.equal(2);
    tf.dispose([original, copy]);
  });

  it('keeps gradients through saved (cloned) tensors correct', () => {
    const x = tf.tensor([1, -2, 3], [3]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, v)))(x);
    expect(Array.from(grad.dataSync())).to.deep.equal([2, -4, 6]);
    tf.dispose([x, grad]);
  });
});
