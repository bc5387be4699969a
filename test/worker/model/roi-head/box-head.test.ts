// The Shared2FC box head: output shapes, mmdet variable names, the spec's initialisation (Xavier-uniform
// shared FCs, fc_reg N(0, 0.001), fc_cls N(0, 0.01) with the prior bias for sigmoid and 0 for softmax), and the
// name-clash check.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  BoxHead,
  disposeBoxHeadOutputs,
  RoiHeadOptionError,
  RoiHeadShapeError,
} from '../../../../worker/internal.js';
import { expectClose, useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

function std(values: ArrayLike<number>): number {
  const list = Array.from(values);
  const mean = list.reduce((a, b) => a + b, 0) / list.length;
  return Math.sqrt(list.reduce((a, b) => a + (b - mean) ** 2, 0) / list.length);
}

describe('BoxHead', () => {
  before(useCpuBackend);

  it('maps pooled RoIs to C+1 logits, 4C deltas and a non-negative embedding', () => {
    const head = new BoxHead(seededRng(1), {
      numClasses: 3,
      inChannels: 4,
      roiSize: 7,
      fcChannels: 16,
      name: 'shape.bbox_head',
    });
    const pooled = tf.randomNormal<tf.Rank.R4>([5, 7, 7, 4], 0, 1, 'float32', 2);
    const outputs = head.apply(pooled);
    expect(outputs.clsScore.shape).to.deep.equal([5, 4]);
    expect(outputs.bboxPred.shape).to.deep.equal([5, 12]);
    expect(outputs.embedding.shape).to.deep.equal([5, 16]);
    expect(outputs.embedding.dataSync().every((v) => v >= 0)).to.equal(true);
    expect(head.variables.map((v) => v.name)).to.deep.equal(
      ['shared_fcs.0', 'shared_fcs.1', 'fc_cls', 'fc_reg'].flatMap((layer) => [
        `shape.bbox_head.${layer}.weight`,
        `shape.bbox_head.${layer}.bias`,
      ]),
    );
    const wrongChannels = tf.zeros<tf.Rank.R4>([1, 7, 7, 3]);
    expect(() => head.embed(wrongChannels)).to.throw(RoiHeadShapeError, 'roiFeatures');
    wrongChannels.dispose();
    disposeBoxHeadOutputs(outputs);
    pooled.dispose();
    // A batch without RoIs (no proposals, no GT) flows through with zero rows.
    const none = tf.tidy(() => head.apply(tf.zeros<tf.Rank.R4>([0, 7, 7, 4])).bboxPred.shape);
    expect(none).to.deep.equal([0, 12]);
    head.dispose();
  });

  it('initialises as the spec gives it', () => {
    const sigmoid = new BoxHead(seededRng(5), {
      numClasses: 20,
      inChannels: 8,
      fcChannels: 64,
      name: 'init.sigmoid',
    });
    const softmax = new BoxHead(seededRng(5), {
      numClasses: 20,
      inChannels: 8,
      fcChannels: 64,
      classifier: 'softmax',
      name: 'init.softmax',
    });
    // −ln((1 − 0.001) / 0.001) on all 21 outputs, background included; softmax starts at 0.
    expectClose(
      sigmoid.fcCls.bias.dataSync(),
      new Array<number>(21).fill(-6.906754778648554),
      1e-5,
      'sigmoid bias',
    );
    expect(Array.from(softmax.fcCls.bias.dataSync())).to.deep.equal(new Array<number>(21).fill(0));
    expect(std(sigmoid.fcCls.weight.dataSync())).to.be.within(0.009, 0.011); // 64 × 21 draws of N(0, 0.01)
    expect(std(sigmoid.fcReg.weight.dataSync())).to.be.within(0.0009, 0.0011); // 64 × 80 draws of N(0, 0.001)
    // Xavier-uniform: |w| <= sqrt(6 / (fan_in + fan_out)); the std of U(−b, b) is b/√3.
    const bound = Math.sqrt(6 / (7 * 7 * 8 + 64));
    const first = sigmoid.sharedFcs[0].weight.dataSync();
    expect(first.every((w) => Math.abs(w) <= bound)).to.equal(true);
    expect(std(first)).to.be.within(0.97 * (bound / Math.sqrt(3)), 1.03 * (bound / Math.sqrt(3)));
    for (const params of [...sigmoid.sharedFcs, sigmoid.fcReg]) {
      expect(params.bias.dataSync().every((b) => b === 0)).to.equal(true);
    }
    sigmoid.dispose();
    softmax.dispose();
  });

  it('refuses a variable prefix that is already taken, leaving nothing behind', () => {
    const head = new BoxHead(seededRng(1), { numClasses: 2, inChannels: 2, fcChannels: 4, name: 'clash' });
    const before = tf.memory().numTensors;
    expect(
      () => new BoxHead(seededRng(1), { numClasses: 2, inChannels: 2, fcChannels: 4, name: 'clash' }),
    ).to.throw(RoiHeadOptionError, 'clash.shared_fcs.0.weight');
    expect(tf.memory().numTensors).to.equal(before);
    head.dispose();
  });
});
