// The RPN head: output shapes per level, mmdet's initialisation and names, determinism, and input checks.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { BoxShapeError, disposeRpnOutputs, RpnHead } from '../../../../worker/internal.js';
import { useCpuBackend, values } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

describe('RpnHead', () => {
  before(useCpuBackend);

  it('gives A logits and 4A deltas per cell on every level', () => {
    const head = new RpnHead(seededRng(1), { inChannels: 8, featChannels: 16, name: 'head-shapes' });
    const before = tf.memory().numTensors;
    const features = [tf.randomNormal<tf.Rank.R4>([2, 6, 5, 8]), tf.randomNormal<tf.Rank.R4>([2, 3, 3, 8])];
    const outputs = head.apply(features);
    expect(outputs.clsScores.map((t) => t.shape)).to.deep.equal([
      [2, 6, 5, 3],
      [2, 3, 3, 3],
    ]);
    expect(outputs.bboxDeltas.map((t) => t.shape)).to.deep.equal([
      [2, 6, 5, 12],
      [2, 3, 3, 12],
    ]);
    disposeRpnOutputs(outputs);
    tf.dispose(features);
    expect(tf.memory().numTensors).to.equal(before);
    head.dispose();
  });

  it('initialises N(0, 0.01) weights and zero biases under mmdet-style names', () => {
    const head = new RpnHead(seededRng(2), { inChannels: 32, featChannels: 32, name: 'head-init' });
    expect(head.variables.map((v) => v.name)).to.deep.equal([
      'head-init.rpn_conv.weight',
      'head-init.rpn_conv.bias',
      'head-init.rpn_cls.weight',
      'head-init.rpn_cls.bias',
      'head-init.rpn_reg.weight',
      'head-init.rpn_reg.bias',
    ]);
    const conv = values(head.rpnConv.weight); // 9216 draws
    const mean = conv.reduce((a, b) => a + b, 0) / conv.length;
    const std = Math.sqrt(conv.reduce((a, b) => a + (b - mean) ** 2, 0) / conv.length);
    expect(Math.abs(mean)).to.be.below(0.0005);
    expect(std).to.be.within(0.0095, 0.0105);
    expect(values(head.rpnCls.bias)).to.deep.equal([0, 0, 0]);
    expect(head.rpnReg.weight.shape).to.deep.equal([1, 1, 32, 12]);
    head.dispose();
  });

  it('draws the same weights from the same seed', () => {
    const a = new RpnHead(seededRng(3), { inChannels: 4, featChannels: 4, name: 'head-seed-a' });
    const b = new RpnHead(seededRng(3), { inChannels: 4, featChannels: 4, name: 'head-seed-b' });
    expect(values(a.rpnReg.weight)).to.deep.equal(values(b.rpnReg.weight));
    a.dispose();
    b.dispose();
  });

  it('rejects a feature map with the wrong channel count, naming its level', () => {
    const head = new RpnHead(seededRng(4), { inChannels: 4, featChannels: 4, name: 'head-check' });
    const good = tf.zeros<tf.Rank.R4>([1, 2, 2, 4]);
    const bad = tf.zeros<tf.Rank.R4>([1, 2, 2, 5]);
    const before = tf.memory().numTensors;
    expect(() => head.apply([good, bad]))
      .to.throw(BoxShapeError)
      .with.property('input', 'features[1]');
    expect(tf.memory().numTensors, 'no outputs of level 0 left behind').to.equal(before);
    tf.dispose([good, bad]);
    head.dispose();
  });
});
