// Freezing in training: after a momentum step on a tiny backbone + FPN + a stand-in RPN head, frozen
// parameters and every BN running statistic are bitwise unchanged and trained parameters have moved, for the
// stage-1 setting (frozen_stages = 1) and stage 2 (select_training_param); the step leaks no tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ParameterStore, ResNet, tinyResNetArch, Fpn, freezeForStage } from '../../../../worker/internal.js';
import { seededTensor, useBackend, weightedSum } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

interface Model {
  store: ParameterStore;
  /** Trains one momentum step; returns the loss. */
  step: () => number;
  dispose: () => void;
}

function buildModel(scope: string): Model {
  const store = new ParameterStore({ scope });
  const rng = seededRng(11);
  // zeroInitResidual off: a zero bn3 weight would give conv3 a zero gradient, which is not "frozen".
  const resnet = new ResNet(store, rng, { arch: tinyResNetArch(), zeroInitResidual: false });
  const fpn = new Fpn(store, rng, { inChannels: resnet.outChannels, outChannels: 8 });
  const rpnWeight = tf.tidy(() =>
    store.addParameter('rpn_head.rpn_conv.weight', seededTensor([1, 1, 8, 2], 3)),
  );
  // Non-trivial statistics, so a frozen BN that normalised with batch statistics would change the outputs.
  tf.tidy(() => {
    for (const entry of store.list('state')) {
      const size = entry.variable.size;
      const values = seededTensor([size], size + 17);
      entry.variable.assign(entry.name.endsWith('running_var') ? tf.add(tf.abs(values), 0.5) : values);
    }
  });
  const images = seededTensor([2, 32, 32, 3], 5) as tf.Tensor4D;
  const optimizer = tf.train.momentum(0.1, 0.9);
  const loss = (): tf.Scalar => {
    const levels = fpn.apply(resnet.apply(images));
    const head = levels.map((level) => tf.conv2d(level, rpnWeight as tf.Tensor4D, 1, 'valid'));
    return tf.addN<tf.Scalar>(head.map((h, i) => weightedSum(h, 100 + i)));
  };
  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss);
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      return value.dataSync()[0] ?? NaN;
    });
  const dispose = () => {
    store.dispose();
    optimizer.dispose();
    images.dispose();
  };
  return { store, step, dispose };
}

async function snapshot(store: ParameterStore): Promise<Map<string, Uint8Array>> {
  const values = new Map<string, Uint8Array>();
  for (const entry of store.list()) {
    const data = (await entry.variable.data()) as Float32Array;
    values.set(entry.name, new Uint8Array(Float32Array.from(data).buffer));
  }
  return values;
}

function bitwiseEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

async function changedNames(model: Model): Promise<string[]> {
  const before = await snapshot(model.store);
  model.step();
  const after = await snapshot(model.store);
  return [...before.keys()].filter((name) => !bitwiseEqual(before.get(name), after.get(name)));
}

describe('freezing', () => {
  before(() => useBackend('wasm'));

  it('stage 1: moves everything but the stem, res2 and the BN statistics, and leaks nothing', async () => {
    const model = buildModel('freeze-stage1');
    const changed = await changedNames(model);
    const expected = model.store
      .list('parameter')
      .map((entry) => entry.name)
      .filter((name) => !/^backbone\.(conv1|bn1|layer1)\./.test(name));
    expect(expected.length).to.be.greaterThan(40);
    expect(changed).to.have.members(expected);
    const baseline = tf.memory().numTensors; // after the first step, which created the momentum accumulators
    model.step();
    expect(tf.memory().numTensors).to.equal(baseline);
    model.dispose();
  });

  it('stage 2: moves only parameters named like the RPN and classifier, and leaks nothing', async () => {
    const model = buildModel('freeze-stage2');
    const variables = model.store.list('parameter').map((entry) => entry.variable);
    freezeForStage('classifier', variables, (variable) => model.store.nameOf(variable.name));
    const trained = variables.filter((variable) => variable.trainable).map((variable) => variable.name);
    expect(trained).to.deep.equal(['freeze-stage2/rpn_head.rpn_conv.weight']);
    expect(await changedNames(model)).to.deep.equal(['rpn_head.rpn_conv.weight']);
    const baseline = tf.memory().numTensors; // after the first step, which created the momentum accumulators
    const changedAgain = await changedNames(model);
    expect(changedAgain).to.deep.equal(['rpn_head.rpn_conv.weight']);
    expect(tf.memory().numTensors).to.equal(baseline);
    model.dispose();
  });
});
