// The parameter store: names, kinds, trainable flags, scoped tfjs names, and its errors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ParameterNameError, ParameterStore } from '../../../../worker/internal.js';
import { useBackend } from '../../tf/helpers.js';

describe('ParameterStore', () => {
  before(() => useBackend('wasm'));

  it('keeps state-dict names apart from scoped tfjs names and never trains state', () => {
    const store = new ParameterStore({ scope: 'store-names' });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      store.addParameter('neck.fpn_convs.0.conv.weight', tf.ones([1, 1, 2, 2]));
      store.addParameter('backbone.bn1.bias', tf.zeros([2]), false);
      store.addState('backbone.bn1.running_mean', tf.zeros([2]));
    });
    expect(tf.memory().numTensors).to.equal(before + 3); // the initial tensors were copied and freed
    expect(store.get('backbone.bn1.bias').name).to.equal('store-names/backbone.bn1.bias');
    expect(store.nameOf('store-names/backbone.bn1.bias')).to.equal('backbone.bn1.bias');
    expect(store.trainableVariables().map((v) => v.name)).to.deep.equal([
      'store-names/neck.fpn_convs.0.conv.weight',
    ]);
    expect(store.setTrainable((name) => name.startsWith('backbone.'), true)).to.deep.equal([
      'backbone.bn1.bias',
    ]);
    expect(store.get('backbone.bn1.running_mean').trainable).to.equal(false);
    store.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('names the parameter in duplicate and unknown-name errors', () => {
    const store = new ParameterStore({ scope: 'store-errors' });
    tf.tidy(() => store.addState('a.running_var', tf.ones([1])));
    const initial = tf.ones([1]);
    expect(() => store.addParameter('a.running_var', initial))
      .to.throw(ParameterNameError)
      .with.property('parameter', 'a.running_var');
    expect(() => store.get('a.weight')).to.throw(ParameterNameError, /'a\.weight' is not registered/);
    initial.dispose();
    store.dispose();
  });
});
