// The FPN: P2..P6 shapes (tiny and R50 widths), mmdet's init and names, the top-down sum with nearest
// upsampling and P6 as a stride-2 subsample of P5's output (checked against a plain-array computation), errors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ParameterStore, ModelOptionError, ModelShapeError, Fpn } from '../../../worker/internal.js';
import { relativeError, seededValues, useBackend } from '../tf/helpers.js';
import { seededRng } from '../../../common/index.js';

/** Nearest upsampling as torch's F.interpolate(size=...) does it: src = floor(dst · in / out). */
function upsampleNearest(map: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      out[y * outW + x] = map[Math.floor((y * h) / outH) * w + Math.floor((x * w) / outW)] ?? NaN;
    }
  }
  return out;
}

describe('Fpn', () => {
  before(() => useBackend('wasm'));

  it('gives P2..P6 with outChannels each, P6 = ceil(P5 / 2), for R50 widths and odd sizes', () => {
    const store = new ParameterStore({ scope: 'fpn-shapes' });
    const fpn = new Fpn(store, seededRng(1), { inChannels: [256, 512, 1024, 2048] });
    const sizes = [13, 7, 4, 2];
    const features = sizes.map((s, i) => tf.zeros<tf.Rank.R4>([2, s, s + 1, 256 * 2 ** i]));
    const before = tf.memory().numTensors;
    const outputs = fpn.apply(features);
    expect(outputs.map((t) => t.shape)).to.deep.equal([
      [2, 13, 14, 256],
      [2, 7, 8, 256],
      [2, 4, 5, 256],
      [2, 2, 3, 256],
      [2, 1, 2, 256], // ceil(2 / 2) × ceil(3 / 2), as torch's max_pool2d(kernel 1, stride 2)
    ]);
    tf.dispose(outputs);
    expect(tf.memory().numTensors).to.equal(before);
    tf.dispose(features);
    store.dispose();
  });

  it('registers mmdet’s names with xavier-uniform weights and zero biases', () => {
    const store = new ParameterStore({ scope: 'fpn-init' });
    new Fpn(store, seededRng(2), { inChannels: [16, 32], outChannels: 24 });
    expect(store.list().map((e) => e.name)).to.deep.equal([
      'neck.lateral_convs.0.conv.weight',
      'neck.lateral_convs.0.conv.bias',
      'neck.lateral_convs.1.conv.weight',
      'neck.lateral_convs.1.conv.bias',
      'neck.fpn_convs.0.conv.weight',
      'neck.fpn_convs.0.conv.bias',
      'neck.fpn_convs.1.conv.weight',
      'neck.fpn_convs.1.conv.bias',
    ]);
    const output = Float32Array.from(store.get('neck.fpn_convs.1.conv.weight').dataSync());
    const bound = Math.sqrt(6 / (9 * 24 + 9 * 24));
    const maxAbs = output.reduce((m: number, v) => Math.max(m, Math.abs(v)), 0);
    // Uniform on (−b, b): the largest of 5184 draws lies within 0.1 % of b.
    expect(maxAbs).to.be.within(0.99 * bound, bound);
    expect(Array.from(store.get('neck.lateral_convs.1.conv.bias').dataSync())).to.deep.equal(
      Array(24).fill(0),
    );
    store.dispose();
  });

  it('adds nearest-upsampled coarser laterals top-down and subsamples P5’s output for P6', () => {
    // One channel, lateral weight 2 with bias 1, output conv = identity (centre tap 1): then
    // P_i = L_i + up(P_{i+1}'s lateral sum) with L_i = 2 C_i + 1, computable by hand.
    const store = new ParameterStore({ scope: 'fpn-topdown' });
    const fpn = new Fpn(store, seededRng(3), { inChannels: [1, 1, 1], outChannels: 1 });
    tf.tidy(() => {
      for (let i = 0; i < 3; i++) {
        store.get(`neck.lateral_convs.${i}.conv.weight`).assign(tf.fill([1, 1, 1, 1], 2));
        store.get(`neck.lateral_convs.${i}.conv.bias`).assign(tf.ones([1]));
        const centre = new Float32Array(9);
        centre[4] = 1;
        store.get(`neck.fpn_convs.${i}.conv.weight`).assign(tf.tensor4d(centre, [3, 3, 1, 1]));
      }
    });
    const sizes: [number, number][] = [
      [9, 7],
      [5, 4],
      [3, 2],
    ];
    const inputs = sizes.map(([h, w], i) => seededValues(h * w, 20 + i));
    let expected = inputs.map((values) => values.map((v) => 2 * v + 1));
    for (let i = 2; i > 0; i--) {
      const [h, w] = sizes[i]!;
      const [outH, outW] = sizes[i - 1]!;
      const up = upsampleNearest(expected[i]!, h, w, outH, outW);
      expected = expected.map((level, j) => (j === i - 1 ? level.map((v, k) => v + up[k]!) : level));
    }
    const p5 = expected[2]!;
    const p6 = [p5[0]!, p5[4]!]; // rows 0 and 2 of the 3x2 map, column 0
    const features = inputs.map((values, i) => tf.tensor4d(values, [1, ...sizes[i]!, 1]));
    const outputs = fpn.apply(features);
    outputs.slice(0, 3).forEach((output, i) => {
      expect(relativeError(output.dataSync(), expected[i]!)).to.be.below(1e-6);
    });
    expect(Array.from(outputs[3]!.dataSync())).to.deep.equal(p6);
    tf.dispose([...features, ...outputs]);
    store.dispose();
  });

  it('rejects bad options and mismatched features with typed errors', () => {
    const store = new ParameterStore({ scope: 'fpn-errors' });
    expect(() => new Fpn(store, seededRng(4), { inChannels: [] })).to.throw(ModelOptionError);
    const fpn = new Fpn(store, seededRng(4), { inChannels: [4, 8], outChannels: 4 });
    const wrong = [tf.zeros<tf.Rank.R4>([1, 4, 4, 4]), tf.zeros<tf.Rank.R4>([1, 2, 2, 4])];
    expect(() => fpn.apply(wrong))
      .to.throw(ModelShapeError)
      .with.property('input', 'features[1]');
    expect(() => fpn.apply(wrong.slice(0, 1))).to.throw(ModelShapeError, /2 levels/);
    tf.dispose(wrong);
    store.dispose();
  });
});
