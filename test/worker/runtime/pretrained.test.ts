// Stage 1's ImageNet initialisation: `torchvision://resnet50` is read from the cache as safetensors (torch's
// names and OIHW layout) into the backbone only; a missing file fails with the path and the Python that makes it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  loadPretrainedBackbone,
  pretrainedLocation,
  RankStateError,
  readTargets,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/workdir.js';
import { useBackend } from '../tf/helpers.js';
import { tinyDetector } from '../model/detector-fixture.js';
import { f32Bytes, writeSafetensors, type WrittenTensor } from '../model/weights/safetensors-writer.js';

describe('worker/runtime pretrained backbone', function () {
  before(() => useBackend('wasm'));

  it('maps torchvision:// names into the cache and keeps paths and s3:// URIs as they are', function () {
    const env = { BACL_CACHE_DIR: '/var/cache/b' };
    expect(pretrainedLocation('torchvision://resnet50', env)).to.equal(
      '/var/cache/b/pretrained/resnet50.safetensors',
    );
    expect(pretrainedLocation('s3://w/r101.safetensors', env)).to.equal('s3://w/r101.safetensors');
    expect(() => pretrainedLocation('torchvision://vgg16', env)).to.throw(RankStateError, /resnet50/);
  });

  it('loads the backbone from the cached file bitwise and leaves the rest of the detector alone', async function () {
    const cache = makeWorkDir('pretrained');
    const source = tinyDetector(11);
    const tensors: Record<string, WrittenTensor> = {};
    const expected = new Map<string, Float32Array>();
    for (const array of await readTargets(source.weightTargets())) {
      if (!array.name.startsWith('backbone.')) continue;
      const hwio = tf.tensor(array.data, array.shape);
      const torch = hwio.rank === 4 ? tf.transpose(hwio, [3, 2, 0, 1]) : hwio.clone();
      tensors[array.name.slice('backbone.'.length)] = {
        dtype: 'F32',
        shape: torch.shape,
        bytes: f32Bytes(await torch.data()),
      };
      expected.set(array.name, array.data as Float32Array);
      tf.dispose([hwio, torch]);
    }
    source.dispose();
    mkdirSync(join(cache, 'pretrained'));
    writeFileSync(join(cache, 'pretrained', 'resnet50.safetensors'), writeSafetensors(tensors));

    const target = tinyDetector(12);
    try {
      const headBefore = (await readTargets(target.weightTargets())).filter(
        (a) => !a.name.startsWith('backbone.'),
      );
      const report = await loadPretrainedBackbone(target, 'torchvision://resnet50', {
        env: { BACL_CACHE_DIR: cache },
      });
      expect(report.loaded.length).to.equal(expected.size);
      const after = await readTargets(target.weightTargets());
      for (const array of after) {
        const want = expected.get(array.name);
        if (want !== undefined)
          expect(
            Buffer.from((array.data as Float32Array).buffer).equals(Buffer.from(want.buffer)),
            array.name,
          ).to.equal(true);
      }
      const headAfter = after.filter((a) => !a.name.startsWith('backbone.'));
      expect(headAfter.map((a) => Array.from(a.data).slice(0, 4))).to.deep.equal(
        headBefore.map((a) => Array.from(a.data).slice(0, 4)),
      );
    } finally {
      target.dispose();
    }
  });

  it('a missing file names the path and how to make it', async function () {
    const cache = makeWorkDir('pretrained-missing');
    const target = tinyDetector(12);
    try {
      await loadPretrainedBackbone(target, 'torchvision://resnet50', { env: { BACL_CACHE_DIR: cache } }).then(
        () => expect.fail('loaded a missing file'),
        (error: unknown) => {
          expect(error).to.be.instanceOf(RankStateError);
          expect((error as Error).message)
            .to.contain(join(cache, 'pretrained', 'resnet50.safetensors'))
            .and.to.contain("torchvision.models.resnet50(weights='IMAGENET1K_V1')");
        },
      );
    } finally {
      target.dispose();
    }
  });
});
