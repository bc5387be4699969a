// The ResNet backbone: stage shapes (tiny and R50), torchvision's parameter count and names, frozen stages,
// input checks and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  ParameterStore,
  ResNet,
  resnetArch,
  tinyResNetArch,
  ModelOptionError,
  ModelShapeError,
} from '../../../../worker/internal.js';
import { useBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

function shapesOf(tensors: tf.Tensor[]): number[][] {
  return tensors.map((t) => t.shape);
}

describe('ResNet backbone', () => {
  before(() => useBackend('wasm'));

  it('gives C2..C5 at strides 4..32 with 4x planes channels (tiny, even and odd sizes)', () => {
    const store = new ParameterStore({ scope: 'resnet-tiny-shapes' });
    const resnet = new ResNet(store, seededRng(1), { arch: tinyResNetArch() });
    expect(resnet.outChannels).to.deep.equal([16, 32, 32, 64]);
    const before = tf.memory().numTensors;
    for (const [height, width, expected] of [
      [64, 48, [16, 8, 4, 2].map((h, i) => [h, [12, 6, 3, 2][i]])],
      // torch rounds up at every stride-2 step: 50 → 25 (stem) → 13 (maxpool) → 13, 7, 4, 2.
      [50, 50, [13, 7, 4, 2].map((h) => [h, h])],
    ] as const) {
      const images = tf.zeros<tf.Rank.R4>([2, height, width, 3]);
      const outputs = resnet.apply(images);
      expect(shapesOf(outputs)).to.deep.equal(
        expected.map(([h, w], i) => [2, h, w, resnet.outChannels[i] as number]),
      );
      tf.dispose([images, ...outputs]);
    }
    expect(tf.memory().numTensors).to.equal(before);
    store.dispose();
  });

  it('builds ResNet-50 with torchvision’s 23,508,032 backbone parameters and its stage shapes', () => {
    const store = new ParameterStore({ scope: 'resnet50-shapes' });
    const resnet = new ResNet(store, seededRng(2), { arch: resnetArch(50) });
    const parameters = store.list('parameter');
    // torchvision resnet50 has 25,557,032 parameters; its fc layer (2048·1000 + 1000) is not part of the backbone.
    expect(parameters.reduce((sum, entry) => sum + entry.variable.size, 0)).to.equal(25_557_032 - 2_049_000);
    // 53 convs (1 stem + 16 blocks × 3 + 4 downsamples) and as many BNs, each with 2 running statistics.
    expect(store.list('state')).to.have.length(53 * 2);
    expect(store.has('backbone.layer4.2.bn3.running_var')).to.equal(true);
    expect(store.get('backbone.layer3.0.downsample.0.weight').shape).to.deep.equal([1, 1, 512, 1024]);
    const images = tf.zeros<tf.Rank.R4>([1, 64, 64, 3]);
    const outputs = resnet.apply(images);
    expect(shapesOf(outputs)).to.deep.equal([
      [1, 16, 16, 256],
      [1, 8, 8, 512],
      [1, 4, 4, 1024],
      [1, 2, 2, 2048],
    ]);
    tf.dispose([images, ...outputs]);
    store.dispose();
  });

  it('has 23 res4 blocks at depth 101 and rejects other depths', () => {
    expect(resnetArch(101).stages.map((s) => s.blocks)).to.deep.equal([3, 4, 23, 3]);
    expect(() => resnetArch(34 as 50)).to.throw(ModelOptionError, /depth/);
  });

  it('freezes the stem and res2 by default (frozen_stages = 1) and nothing at -1', () => {
    const store = new ParameterStore({ scope: 'resnet-frozen' });
    new ResNet(store, seededRng(3), { arch: tinyResNetArch({ blocks: [2, 1, 1, 1] }) });
    const frozen = store
      .list('parameter')
      .filter((entry) => !entry.variable.trainable)
      .map((entry) => entry.name);
    expect(frozen.filter((name) => !/^backbone\.(conv1|bn1|layer1)\./.test(name))).to.deep.equal([]);
    expect(frozen).to.include.members([
      'backbone.conv1.weight',
      'backbone.bn1.bias',
      'backbone.layer1.1.conv3.weight',
    ]);
    expect(store.get('backbone.layer2.0.bn1.weight').trainable).to.equal(true);
    expect(store.list('state').every((entry) => !entry.variable.trainable)).to.equal(true);
    store.dispose();

    const unfrozen = new ParameterStore({ scope: 'resnet-unfrozen' });
    new ResNet(unfrozen, seededRng(3), { arch: tinyResNetArch(), frozenStages: -1 });
    expect(unfrozen.trainableVariables()).to.have.length(unfrozen.list('parameter').length);
    unfrozen.dispose();
  });

  it('zero-initialises bn3 weights only when zeroInitResidual is on (mmdet’s default)', async () => {
    const store = new ParameterStore({ scope: 'resnet-zero-init' });
    new ResNet(store, seededRng(4), { arch: tinyResNetArch() });
    expect(Array.from(await store.get('backbone.layer2.0.bn3.weight').data())).to.deep.equal(
      Array(32).fill(0),
    );
    expect(Array.from(await store.get('backbone.layer2.0.bn2.weight').data())).to.deep.equal(
      Array(8).fill(1),
    );
    store.dispose();
  });

  it('rejects bad options and inputs with typed errors', () => {
    const store = new ParameterStore({ scope: 'resnet-errors' });
    expect(() => new ResNet(store, seededRng(5), { arch: tinyResNetArch(), frozenStages: 5 }))
      .to.throw(ModelOptionError)
      .with.property('option', 'frozenStages');
    expect(() => tinyResNetArch({ planes: [4, 0, 8, 8] }))
      .to.throw(ModelOptionError)
      .with.property('option', 'stages[1].planes');
    store.dispose();
    const ok = new ParameterStore({ scope: 'resnet-errors-input' });
    const resnet = new ResNet(ok, seededRng(5), { arch: tinyResNetArch() });
    const gray = tf.zeros<tf.Rank.R4>([1, 32, 32, 1]);
    expect(() => resnet.apply(gray)).to.throw(ModelShapeError);
    gray.dispose();
    ok.dispose();
  });
});
