// Importing torchvision ResNet weights: a state dict written by the test (torch names, OIHW convs, fc.* and
// num_batches_tracked as torchvision saves them) loads bitwise into a differently initialised backbone; every
// missing, unexpected and mis-shaped tensor is listed and nothing is assigned then.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  ParameterStore,
  ResNet,
  tinyResNetArch,
  importTorchvisionResNet,
  oihwToHwio,
  readSafetensors,
  readTargets,
  WeightsMismatchError,
} from '../../../../worker/internal.js';
import { seededValues, useBackend } from '../../tf/helpers.js';
import { f32Bytes, i64Bytes, writeSafetensors, type WrittenTensor } from './safetensors-writer.js';
import { seededRng } from '../../../../common/index.js';

const arch = tinyResNetArch({ blocks: [2, 1, 1, 1] });

/** A torchvision-style state dict for `arch`, built from a model with random weights and statistics. */
async function torchvisionStateDict(): Promise<{
  tensors: Record<string, WrittenTensor>;
  expected: Map<string, Float32Array>;
}> {
  const store = new ParameterStore({ scope: 'tv-source' });
  new ResNet(store, seededRng(1), { arch });
  const tensors: Record<string, WrittenTensor> = {};
  const expected = new Map<string, Float32Array>();
  for (const entry of store.list()) {
    const torchName = entry.name.replace(/^backbone\./, '');
    const values = seededValues(entry.variable.size, entry.variable.size + torchName.length);
    const hwio = tf.tensor(values, entry.variable.shape);
    // OIHW through tf.transpose, independently of the importer's index arithmetic.
    const torchLayout = hwio.rank === 4 ? tf.transpose(hwio, [3, 2, 0, 1]) : hwio.clone();
    tensors[torchName] = {
      dtype: 'F32',
      shape: torchLayout.shape,
      bytes: f32Bytes(await torchLayout.data()),
    };
    expected.set(entry.name, values);
    tf.dispose([hwio, torchLayout]);
    if (torchName.endsWith('running_var')) {
      tensors[torchName.replace('running_var', 'num_batches_tracked')] = {
        dtype: 'I64',
        shape: [],
        bytes: i64Bytes([0]),
      };
    }
  }
  tensors['fc.weight'] = { dtype: 'F32', shape: [10, 64], bytes: f32Bytes(new Float32Array(640)) };
  tensors['fc.bias'] = { dtype: 'F32', shape: [10], bytes: f32Bytes(new Float32Array(10)) };
  store.dispose();
  return { tensors, expected };
}

describe('torchvision ResNet import', () => {
  before(() => useBackend('wasm'));

  it('loads every conv, BN affine and BN statistic bitwise and says what it ignored', async () => {
    const { tensors, expected } = await torchvisionStateDict();
    const store = new ParameterStore({ scope: 'tv-target' });
    new ResNet(store, seededRng(2), { arch });
    const before = tf.memory().numTensors;
    const report = importTorchvisionResNet(
      store.list(),
      readSafetensors(writeSafetensors(tensors), 'tv.safetensors'),
    );
    expect(tf.memory().numTensors).to.equal(before);
    expect(report.loaded).to.have.length(store.list().length);
    expect(report.ignored.map((i) => i.name)).to.include.members([
      'fc.weight',
      'fc.bias',
      'bn1.num_batches_tracked',
    ]);
    expect(report.ignored.find((i) => i.name === 'fc.weight')?.reason).to.match(/ImageNet classifier/);
    for (const array of await readTargets(store.list())) {
      const want = expected.get(array.name)!;
      expect(Buffer.from(array.data.buffer).equals(Buffer.from(want.buffer)), array.name).to.equal(true);
    }
    store.dispose();
  });

  it('lists missing, unexpected and mis-shaped tensors and assigns nothing', async () => {
    const { tensors } = await torchvisionStateDict();
    delete tensors['layer1.1.bn2.running_mean'];
    tensors['layer5.0.conv1.weight'] = { dtype: 'F32', shape: [1], bytes: f32Bytes([0]) };
    const stem = tensors['conv1.weight']!;
    tensors['conv1.weight'] = { ...stem, shape: [7, 7, 3, 8] }; // HWIO by mistake: not torch's OIHW
    tensors['layer2.0.bn1.bias'] = { dtype: 'I32', shape: [8], bytes: new Uint8Array(32) };
    const store = new ParameterStore({ scope: 'tv-errors' });
    new ResNet(store, seededRng(3), { arch });
    const untouched = Array.from(await store.get('backbone.layer4.0.conv1.weight').data());
    let error: unknown;
    try {
      importTorchvisionResNet(store.list(), readSafetensors(writeSafetensors(tensors), 'bad.safetensors'));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(WeightsMismatchError);
    const mismatch = error as WeightsMismatchError;
    expect(mismatch.missing).to.deep.equal(['layer1.1.bn2.running_mean']);
    expect(mismatch.unexpected).to.deep.equal(['layer5.0.conv1.weight']);
    expect(mismatch.mismatched).to.deep.equal([
      { name: 'conv1.weight', expected: 'float [8, 3, 7, 7]', actual: 'F32 [7, 7, 3, 8]' },
      { name: 'layer2.0.bn1.bias', expected: 'float [8]', actual: 'I32 [8]' },
    ]);
    expect(mismatch.message).to.match(
      /^bad\.safetensors does not fit the model: missing layer1\.1\.bn2\.running_mean;/,
    );
    expect(Array.from(await store.get('backbone.layer4.0.conv1.weight').data())).to.deep.equal(untouched);
    store.dispose();
  });

  it('transposes OIHW to HWIO', () => {
    // out 2, in 3, 1x2 kernel: element (o, i, 0, x) = 100o + 10i + x must land at [0, x, i, o].
    const oihw = Float32Array.from({ length: 12 }, (_, k) => {
      const [o, i, x] = [Math.floor(k / 6), Math.floor(k / 2) % 3, k % 2];
      return 100 * o + 10 * i + x;
    });
    const hwio = oihwToHwio(oihw, [2, 3, 1, 2]);
    expect(Array.from(hwio)).to.deep.equal([0, 100, 10, 110, 20, 120, 1, 101, 11, 111, 21, 121]);
  });
});
