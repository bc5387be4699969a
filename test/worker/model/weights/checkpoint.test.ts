// Checkpoints: a tiny backbone + FPN (parameters and BN statistics) and FCBL/FHM state saved to a directory and
// loaded into a differently initialised model, bitwise; then every way a load can fail, each naming the tensor.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ParameterStore,
  ResNet,
  tinyResNetArch,
  Fpn,
  FcblState,
  FhmState,
  assignTargets,
  fcblSnapshotFromArrays,
  fcblStateArrays,
  fhmSnapshotFromArrays,
  fhmStateArrays,
  loadWeights,
  readTargets,
  saveWeights,
  WeightsFormatError,
  WeightsMismatchError,
  WeightsNotFoundError,
  DirectoryStorage,
} from '../../../../worker/internal.js';
import { makeWorkDir } from '../../../harness/workdir.js';
import { seededValues, useBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

function buildModel(scope: string, seed: number): ParameterStore {
  const store = new ParameterStore({ scope });
  const rng = seededRng(seed);
  const resnet = new ResNet(store, rng, { arch: tinyResNetArch() });
  new Fpn(store, rng, { inChannels: resnet.outChannels, outChannels: 8 });
  // Distinct statistics per model, so a load that skipped the state would be caught.
  tf.tidy(() => {
    for (const entry of store.list('state')) {
      entry.variable.assign(
        tf.tensor(seededValues(entry.variable.size, seed + entry.variable.size), entry.variable.shape),
      );
    }
  });
  return store;
}

const bytesOf = (data: ArrayBufferView) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

describe('weights checkpoints', () => {
  let dir: string;
  before(async () => {
    await useBackend('wasm');
    dir = makeWorkDir('weights');
  });

  it('round-trips every parameter and BN statistic bitwise through a directory', async () => {
    const source = buildModel('ckpt-source', 1);
    const target = buildModel('ckpt-target', 2);
    const storage = new DirectoryStorage(dir);
    const saved = await readTargets(source.list());
    await saveWeights(storage, 'stage1/epoch_1', saved);
    expect((await readdir(join(dir, 'stage1'))).sort()).to.deep.equal(['epoch_1.bin', 'epoch_1.json']);
    const before = tf.memory().numTensors;
    const loaded = await loadWeights(storage, 'stage1/epoch_1');
    assignTargets(target.list(), loaded);
    expect(tf.memory().numTensors).to.equal(before);
    const restored = await readTargets(target.list());
    expect(restored.map((a) => a.name)).to.deep.equal(saved.map((a) => a.name));
    restored.forEach((array, i) => {
      expect(bytesOf(array.data).equals(bytesOf(saved[i]!.data)), array.name).to.equal(true);
    });
    expect(restored.filter((a) => a.kind === 'state')).to.have.length(source.list('state').length);
    source.dispose();
    target.dispose();
  });

  it('round-trips FCBL and FHM state under the reference’s names', async () => {
    const fcbl = new FcblState(3);
    const fhm = new FhmState(3, 4);
    fcbl.restore({ numClasses: 3, confusion: seededValues(9, 1), counts: Float32Array.of(5, 0, 2) });
    fhm.restore({
      numClasses: 3,
      featureDim: 4,
      means: seededValues(12, 2),
      variances: seededValues(12, 3),
      used: Uint8Array.of(1, 0, 1),
    });
    const arrays = [...fcblStateArrays(await fcbl.snapshot()), ...fhmStateArrays(await fhm.snapshot())];
    expect(arrays.map((a) => a.name)).to.deep.equal([
      'roi_head.bbox_head.loss_cls.cm_numerator',
      'roi_head.bbox_head.loss_cls.num_gt',
      'roi_head.bbox_head.feature_prototype',
      'roi_head.bbox_head.feature_variance',
      'roi_head.bbox_head.feature_used',
    ]);
    const storage = new DirectoryStorage(dir);
    await saveWeights(storage, 'stage2-state', arrays);
    const loaded = await loadWeights(storage, 'stage2-state');
    const fcblBack = FcblState.fromSnapshot(fcblSnapshotFromArrays(loaded));
    const fhmBack = new FhmState(3, 4);
    fhmBack.restore(fhmSnapshotFromArrays(loaded));
    expect(await fcblBack.snapshot()).to.deep.equal(await fcbl.snapshot());
    expect(await fhmBack.snapshot()).to.deep.equal(await fhm.snapshot());
    expect(() => fhmSnapshotFromArrays(loaded.slice(0, 2)))
      .to.throw(WeightsMismatchError)
      .with.property('missing')
      .that.deep.equals([
        'roi_head.bbox_head.feature_prototype',
        'roi_head.bbox_head.feature_variance',
        'roi_head.bbox_head.feature_used',
      ]);
    for (const state of [fcbl, fhm, fcblBack, fhmBack]) state.dispose();
  });

  it('lists missing, unexpected and mis-shaped tensors and assigns nothing', async () => {
    const store = buildModel('ckpt-mismatch', 3);
    const arrays = await readTargets(store.list());
    const altered = arrays
      .filter((a) => a.name !== 'backbone.layer2.0.bn1.running_var')
      .map((a) => (a.name === 'neck.fpn_convs.1.conv.weight' ? { ...a, shape: [1, 9, 8, 8] } : a));
    altered.push({
      name: 'neck.extra',
      kind: 'parameter',
      dtype: 'float32',
      shape: [1],
      data: Float32Array.of(1),
    });
    const conv1 = store.get('backbone.conv1.weight');
    const before = Float32Array.from(await conv1.data());
    const changed = altered.map((a) =>
      a.name === 'backbone.conv1.weight' ? { ...a, data: a.data.map(() => 7) } : a,
    );
    let error: unknown;
    try {
      assignTargets(store.list(), changed, { source: 'ckpt' });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(WeightsMismatchError);
    const mismatch = error as WeightsMismatchError;
    expect(mismatch.missing).to.deep.equal(['backbone.layer2.0.bn1.running_var']);
    expect(mismatch.unexpected).to.deep.equal(['neck.extra']);
    expect(mismatch.mismatched).to.deep.equal([
      {
        name: 'neck.fpn_convs.1.conv.weight',
        expected: 'float32 [3, 3, 8, 8]',
        actual: 'float32 [1, 9, 8, 8]',
      },
    ]);
    expect(mismatch.message).to.match(
      /^ckpt does not fit the model: missing backbone\.layer2\.0\.bn1\.running_var;/,
    );
    expect(Array.from(await conv1.data())).to.deep.equal(Array.from(before));
    // A partial load may ignore tensors the model does not have.
    const withExtra = [...arrays, altered[altered.length - 1]!];
    expect(() => assignTargets(store.list(), withExtra, { unexpected: 'ignore' })).not.to.throw();
    store.dispose();
  });

  it('rejects a corrupted blob, a missing checkpoint and a bad name', async () => {
    const storage = new DirectoryStorage(dir);
    const arrays = [
      {
        name: 'a',
        kind: 'parameter' as const,
        dtype: 'float32' as const,
        shape: [2],
        data: Float32Array.of(1, 2),
      },
      { name: 'b', kind: 'state' as const, dtype: 'int32' as const, shape: [1], data: Int32Array.of(3) },
    ];
    await saveWeights(storage, 'corrupt', arrays);
    const blob = await readFile(join(dir, 'corrupt.bin'));
    expect(blob.byteLength).to.equal(12); // 8 bytes of 'a', then 'b' at the next 8-byte boundary
    blob[0] = (blob[0] ?? 0) ^ 1;
    await writeFile(join(dir, 'corrupt.bin'), blob);
    await expectRejection(loadWeights(storage, 'corrupt'), WeightsFormatError, /SHA-256/);
    await expectRejection(loadWeights(storage, 'absent'), WeightsNotFoundError, /absent\.json/);
    await expectRejection(
      saveWeights(storage, '../outside', arrays),
      WeightsFormatError,
      /not a valid object name/,
    );
    await writeFile(join(dir, 'notjson.json'), 'nope');
    await expectRejection(loadWeights(storage, 'notjson'), WeightsFormatError, /manifest is not JSON/);
  });
});

async function expectRejection(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  message: RegExp,
) {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    expect((error as Error).message).to.match(message);
    return;
  }
  expect.fail(`expected a ${type.name}`);
}
