// The shard loader end to end on a local dataset (synth -> prepare with polygons kept): ranks' shares are
// disjoint, every rank delivers the agreed steps in same-group batches, a run is bit-identical to a rerun and
// to a run resumed from a cursor, stage-1 outputs keep boxes equal to their masks, bad samples are reported
// by shard, key and step, and an abort stops the stream.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { loadLvisGroundTruth, loadTrainingConfig } from '../../../common/internal.js';
import {
  openDatasetSource,
  prepareShards,
  readShardManifest,
  sampleKey,
  writeSynthDataset,
  type DatasetSource,
  type ShardManifest,
  type SynthDatasetSummary,
} from '../../../data/internal.js';
import {
  collateBatch,
  DataOptionError,
  DataSampleError,
  epochSteps,
  expandMask,
  filterOptions,
  initTf,
  labelMap,
  maskBox,
  testPipeline,
  trainBatches,
  trainingGroupSizes,
  trainPipeline,
  type RepresentationPipeline,
  type StandardPipeline,
  type TrainBatch,
  type TrainLoaderOptions,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/index.js';

const standard: StandardPipeline = {
  kind: 'standard',
  scales: [
    [80, 48],
    [80, 64],
  ],
  flipRatio: 0.5,
  sizeDivisor: 32,
};
const representation: RepresentationPipeline = {
  kind: 'representation',
  imgScale: 80,
  ratioRange: [0.8, 1.25],
  cropSize: 64,
  minBoxSize: 0.01,
  flipRatio: 0.5,
  copyPaste: { maxPasted: 100, bboxOccludedThr: 10, maskOccludedThr: 300 },
  sizeDivisor: 32,
};

async function collect(options: TrainLoaderOptions): Promise<TrainBatch[]> {
  const batches: TrainBatch[] = [];
  for await (const batch of trainBatches(options)) batches.push(batch);
  return batches;
}

/** A digest of everything a batch holds, to compare runs bit for bit. */
function digest(batch: TrainBatch): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(batch.keys));
  for (const sample of batch.samples) {
    hash.update(sample.image.data);
    hash.update(new Uint8Array(sample.boxes.buffer, sample.boxes.byteOffset, sample.boxes.byteLength));
    hash.update(new Uint8Array(sample.labels.buffer, sample.labels.byteOffset, sample.labels.byteLength));
    for (const mask of sample.masks ?? [])
      hash.update(expandMask(mask, sample.image.width, sample.image.height));
  }
  return hash.digest('hex');
}

describe('worker/data loader on local shards', function () {
  this.timeout(300_000);
  let synth: SynthDatasetSummary;
  let source: DatasetSource;
  let manifest: ShardManifest;
  let labels: Map<number, number>;
  let groupSizes: [number, number];

  before(async function () {
    const dir = makeWorkDir('data-loader');
    synth = await writeSynthDataset(join(dir, 'synth'), {
      categories: 5,
      trainImages: 30,
      valImages: 2,
      seed: 13,
      minImageSize: 96,
      maxImageSize: 128,
    });
    const out = join(dir, 'shards');
    await prepareShards({
      annotations: synth.files.train,
      images: synth.files.images,
      out,
      shardBytes: 24 * 1024,
      keepSegmentation: true,
    });
    source = openDatasetSource(out);
    manifest = await readShardManifest(source);
    labels = labelMap(manifest.categories.map((c) => c.id));
    const gt = await loadLvisGroundTruth(synth.files.train);
    groupSizes = trainingGroupSizes(gt.images, gt.annotations, labels, 32);
  });

  const base = (overrides: Partial<TrainLoaderOptions>): TrainLoaderOptions => ({
    manifest,
    source,
    pipeline: standard,
    filter: { minImageSide: 32 },
    labels,
    samplesPerGpu: 2,
    seed: 5,
    rank: 0,
    worldSize: 1,
    steps: 1,
    cursor: { epoch: 0, step: 0 },
    shuffleBuffer: 8,
    ...overrides,
  });

  it('gives ranks disjoint shares, the agreed steps each, one aspect group per batch', async function () {
    expect(manifest.shards.length).to.be.greaterThan(2);
    const worldSize = 3;
    const steps = 3; // 30 images / 3 ranks: no rank has to wrap into a second pass for 6 images
    const seen = new Map<string, number>();
    for (let rank = 0; rank < worldSize; rank++) {
      const batches = await collect(base({ rank, worldSize, steps }));
      expect(batches.map((b) => b.cursor.step)).to.deep.equal([0, 1, 2]);
      for (const batch of batches) {
        expect(batch.samples).to.have.length(2);
        const groups = batch.samples.map((s) => (s.image.width / s.image.height > 1 ? 1 : 0));
        expect(groups[0], `rank ${rank} step ${batch.cursor.step}`).to.equal(groups[1]);
        for (const { key } of batch.keys) {
          expect(seen.has(key), `${key} on rank ${rank} and ${seen.get(key)}`).to.equal(false);
          seen.set(key, rank);
        }
      }
    }
    expect(seen.size).to.equal(worldSize * steps * 2);
  });

  it('resizes to a drawn (long, short) scale with keep ratio in the standard pipeline', async function () {
    const [batch] = await collect(base({ steps: 1 }));
    for (const sample of batch!.samples) {
      const { width, height } = sample.image;
      const fits = [48, 64].some(
        (short) => Math.min(width, height) <= short && Math.max(width, height) <= 80,
      );
      expect(fits, `${width}x${height}`).to.equal(true);
    }
  });

  it('repeats a run bit for bit, resumes from a cursor to the same batches, changes with epoch, seed and Copy-Paste', async function () {
    const worldSize = 2;
    const steps = epochSteps(groupSizes, worldSize, 2);
    const options = base({
      pipeline: representation,
      rank: 1,
      worldSize,
      steps,
      cursor: { epoch: 3, step: 0 },
    });
    const first = await collect(options);
    const again = await collect(options);
    const resumed = await collect({ ...options, cursor: { epoch: 3, step: 2 } });
    const other = await collect({ ...options, cursor: { epoch: 4, step: 0 } });
    const reseeded = await collect({ ...options, seed: 6 });
    expect(first).to.have.length(steps);
    expect(first.map(digest)).to.deep.equal(again.map(digest));
    expect(resumed.map(digest)).to.deep.equal(first.slice(2).map(digest));
    expect(resumed[0]!.cursor).to.deep.equal({ epoch: 3, step: 2 });
    expect(first.at(-1)!.next).to.deep.equal({ epoch: 4, step: 0 });
    expect(other.map(digest)).to.not.deep.equal(first.map(digest));
    expect(reseeded.map(digest)).to.not.deep.equal(first.map(digest));
    expect(first.map(digest)).to.not.deep.equal(
      (
        await collect({
          ...options,
          pipeline: { ...representation, copyPaste: { ...representation.copyPaste, maxPasted: 0 } },
        })
      ).map(digest),
    );
    for (const batch of first) {
      for (const sample of batch.samples) {
        expect([sample.image.width, sample.image.height]).to.deep.equal([64, 64]);
        expect(sample.masks).to.have.length(sample.labels.length);
        sample.masks!.forEach((mask, i) => {
          expect(Array.from(sample.boxes.subarray(4 * i, 4 * i + 4))).to.deep.equal(
            maskBox(expandMask(mask, 64, 64), 64, 64),
          );
        });
        for (const label of sample.labels) expect(label).to.be.within(0, labels.size - 1);
      }
    }
  });

  it('collates a batch into normalised, padded tensors without leaking', async function () {
    await initTf({ backend: 'cpu' });
    const [stage2] = await collect(base({ steps: 1 }));
    const [stage1] = await collect(base({ pipeline: representation, steps: 1 }));
    const before = tf.memory().numTensors;
    for (const batch of [stage1!, stage2!]) {
      const collated = collateBatch(batch.samples, 32);
      const [, height, width] = collated.images.shape;
      expect(height % 32).to.equal(0);
      expect(width % 32).to.equal(0);
      collated.imageSizes.forEach((size, i) => {
        expect(size.width).to.be.at.most(batch.samples[i]!.image.width);
      });
      collated.images.dispose();
    }
    expect(tf.memory().numTensors).to.equal(before);
    // A pixel of 0 normalises to -mean / std on the red channel.
    const one = collateBatch([stage2!.samples[0]!], 32);
    const first = stage2!.samples[0]!.image.data[0]!;
    expect(one.images.dataSync()[0]).to.be.closeTo((first - 123.675) / 58.395, 1e-5);
    one.images.dispose();
  });

  it('names the shard, key and step of a sample whose mask cannot be built', async function () {
    const dir = makeWorkDir('data-loader-bad');
    const json = JSON.parse(readFileSync(synth.files.train, 'utf8')) as {
      annotations: Array<{ image_id: number; segmentation: unknown }>;
      images: Array<{ id: number }>;
    };
    const badImage = json.images[4]!.id;
    for (const annotation of json.annotations) {
      if (annotation.image_id === badImage) annotation.segmentation = { counts: [5], size: [1, 5] };
    }
    const annotations = join(dir, 'train.json');
    writeFileSync(annotations, JSON.stringify(json));
    const out = join(dir, 'shards');
    await prepareShards({ annotations, images: synth.files.images, out, keepSegmentation: true });
    const badSource = openDatasetSource(out);
    const badManifest = await readShardManifest(badSource);
    const steps = epochSteps(groupSizes, 1, 2);
    let caught: unknown;
    try {
      await collect(base({ manifest: badManifest, source: badSource, pipeline: representation, steps }));
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(DataSampleError);
    const error = caught as DataSampleError;
    expect(error.key).to.equal(sampleKey(badImage));
    expect(error.shard).to.match(/^shard-\d+\.tar$/);
    expect(error.step).to.be.within(0, steps - 1);
    expect(error.message).to.contain(`step ${error.step}`).and.to.contain('size');
  });

  it('refuses stage 1 on shards prepared without segmentation, before reading anything', function () {
    const boxesOnly = { ...manifest, keepSegmentation: false };
    expect(() => trainBatches(base({ manifest: boxesOnly, pipeline: representation }))).to.throw(
      DataOptionError,
      '--keep-segmentation',
    );
    expect(() => trainBatches(base({ manifest: boxesOnly }))).to.not.throw();
  });

  it('stops with the signal reason when aborted', async function () {
    const controller = new AbortController();
    const steps = epochSteps(groupSizes, 1, 2);
    const seen: number[] = [];
    let caught: unknown;
    try {
      for await (const batch of trainBatches(base({ steps, signal: controller.signal }))) {
        seen.push(batch.cursor.step);
        controller.abort(new Error('job deleted'));
      }
    } catch (error) {
      caught = error;
    }
    expect(seen).to.deep.equal([0]);
    expect(caught).to.be.an('error').with.property('message', 'job deleted');
  });

  it('reads the pipelines from the typed config', function () {
    const v1 = loadTrainingConfig('lvis_v1').config.data;
    const stage1 = trainPipeline(v1, 'representation');
    expect(stage1).to.deep.include({
      kind: 'representation',
      imgScale: 1280,
      cropSize: 1280,
      flipRatio: 0.5,
    });
    expect(stage1.kind === 'representation' && stage1.copyPaste).to.deep.equal({
      maxPasted: 100,
      bboxOccludedThr: 10,
      maskOccludedThr: 300,
    });
    const stage2 = trainPipeline(v1, 'classifier');
    expect(stage2.kind === 'standard' && stage2.scales.map(([, short]) => short)).to.deep.equal([
      640, 672, 704, 736, 768, 800,
    ]);
    expect(testPipeline(v1).scales).to.deep.equal([[1333, 800]]);
    expect(filterOptions(v1)).to.deep.equal({ minImageSide: 32 });
    const tiny = loadTrainingConfig('tiny').config.data;
    expect(trainPipeline(tiny, 'representation')).to.deep.equal({
      kind: 'standard',
      scales: [[128, 128]],
      flipRatio: 0,
      sizeDivisor: 32,
    });
  });
});
