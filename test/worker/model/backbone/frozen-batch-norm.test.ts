// Eval-mode batch norm and input normalisation against their formulas, computed here in float64.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  BATCH_NORM_EPSILON,
  createFrozenBatchNorm,
  frozenBatchNorm,
  normalizeImages,
  ParameterStore,
  ModelShapeError,
} from '../../../../worker/internal.js';
import { relativeError, seededValues, useBackend } from '../../tf/helpers.js';

describe('frozen batch norm and input normalisation', () => {
  before(() => useBackend('wasm'));

  it('normalises with the running statistics, not the batch’s, and registers torch’s names', () => {
    const store = new ParameterStore({ scope: 'frozen-bn' });
    const bn = createFrozenBatchNorm(store, 'backbone.bn1', 3);
    expect(store.list().map((e) => `${e.kind}:${e.name}`)).to.deep.equal([
      'parameter:backbone.bn1.weight',
      'parameter:backbone.bn1.bias',
      'state:backbone.bn1.running_mean',
      'state:backbone.bn1.running_var',
    ]);
    const [weight, bias, mean, variance] = [
      [1.5, -0.5, 2],
      [0.1, 0.2, -0.3],
      [0.5, -1, 3],
      [0.25, 4, 1e-6],
    ];
    tf.tidy(() => {
      bn.weight.assign(tf.tensor1d(weight));
      bn.bias.assign(tf.tensor1d(bias));
      bn.runningMean.assign(tf.tensor1d(mean));
      bn.runningVar.assign(tf.tensor1d(variance));
    });
    const x = seededValues(2 * 2 * 2 * 3, 9).map((v) => 4 * v);
    const expected = Array.from(x, (v, i) => {
      const c = i % 3;
      return ((v - mean[c]!) / Math.sqrt(variance[c]! + BATCH_NORM_EPSILON)) * weight[c]! + bias[c]!;
    });
    const y = tf.tidy(() => frozenBatchNorm(tf.tensor4d(x, [2, 2, 2, 3]), bn));
    expect(relativeError(y.dataSync(), expected)).to.be.below(1e-6);
    y.dispose();
    store.dispose();
  });

  it('subtracts the RGB ImageNet mean and divides by its std; reverses BGR input first', () => {
    const pixels = [255, 0, 128, 10, 200, 30];
    const rgb = tf.tensor4d(pixels, [1, 1, 2, 3]);
    const mean = [123.675, 116.28, 103.53];
    const std = [58.395, 57.12, 57.375];
    const expected = pixels.map((v, i) => (v - mean[i % 3]!) / std[i % 3]!);
    const fromRgb = normalizeImages(rgb);
    expect(relativeError(fromRgb.dataSync(), expected)).to.be.below(1e-6);
    const bgr = tf.tensor4d([128, 0, 255, 30, 200, 10], [1, 1, 2, 3]);
    const fromBgr = normalizeImages(bgr, { inputOrder: 'bgr' });
    expect(relativeError(fromBgr.dataSync(), expected)).to.be.below(1e-6);
    tf.dispose([rgb, bgr, fromRgb, fromBgr]);
    const gray = tf.zeros<tf.Rank.R4>([1, 2, 2, 1]);
    expect(() => normalizeImages(gray)).to.throw(ModelShapeError, /\[B, H, W, 3\]/);
    gray.dispose();
  });
});
