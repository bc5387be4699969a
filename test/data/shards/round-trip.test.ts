import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import sharp from 'sharp';
import {
  computeLvisCategoryStatistics,
  loadLvisGroundTruth,
  type LvisGroundTruth,
} from '../../../common/index.js';
import {
  openShardDataset,
  prepareShards,
  sampleKey,
  type DatasetSample,
  type ShardManifest,
  type SynthDatasetSummary,
} from '../../../data/internal.js';
import { makeWorkDir, sharedS3 } from '../../harness/index.js';
import { createBucket, listKeys, tinySynthDataset } from './fixtures.js';

async function readAll(iterable: AsyncIterable<DatasetSample>): Promise<DatasetSample[]> {
  const samples: DatasetSample[] = [];
  for await (const sample of iterable) samples.push(sample);
  return samples;
}

describe('data/shards: synth -> prepare -> S3 -> reader round trip', function () {
  let s3: S3Client;
  let bucket: string;
  let synth: SynthDatasetSummary;
  let gt: LvisGroundTruth;
  let manifest: ShardManifest;
  const out = () => `s3://${bucket}/datasets/tiny/train`;

  before(async function () {
    s3 = (await sharedS3()).client();
    bucket = await createBucket(s3, 'round-trip');
    synth = await tinySynthDataset();
    gt = await loadLvisGroundTruth(synth.files.train);
    const result = await prepareShards({
      annotations: synth.files.train,
      images: synth.files.images,
      out: out(),
      s3,
      shardBytes: 40 * 1024,
    });
    manifest = result.manifest;
  });
  after(function () {
    s3?.destroy();
  });

  it('writes several shards, the annotations and the manifest under the prefix', async function () {
    expect(manifest.shards.length).to.be.greaterThan(2);
    const keys = await listKeys(s3, bucket, 'datasets/tiny/train/');
    expect(keys).to.deep.equal(
      [...manifest.shards.map((s) => s.name), 'annotations.json', 'manifest.json']
        .map((name) => `datasets/tiny/train/${name}`)
        .sort(),
    );
    expect(manifest.totals).to.include({
      samples: gt.images.length,
      annotations: gt.annotations.length,
      skipped: 0,
    });
    for (const shard of manifest.shards) expect(shard.bytes).to.be.at.most(40 * 1024 + 64 * 1024);
  });

  it('records the category statistics of the annotations', function () {
    const stats = computeLvisCategoryStatistics(gt.categories, gt.annotations);
    expect(manifest.categories.map((c) => [c.id, c.imageCount, c.instanceCount, c.frequency])).to.deep.equal(
      stats.categories.map((c) => [c.id, c.imageCount, c.instanceCount, c.declaredFrequency]),
    );
    expect(manifest.groups).to.deep.equal(stats.declaredGroups);
  });

  it('yields every image, pixels equal to the synth JPEG decoded directly, annotations intact', async function () {
    const reader = await openShardDataset(out(), { s3 });
    const samples = await readAll(reader);
    expect(samples.map((s) => s.key).sort()).to.deep.equal(
      gt.images.map((image) => sampleKey(image.id)).sort(),
    );
    for (const sample of samples) {
      const image = gt.images.find((candidate) => candidate.id === sample.image.id)!;
      expect(sample.image).to.deep.equal(image);
      expect(sample.annotations).to.deep.equal(gt.annotations.filter((a) => a.image_id === image.id));
      const file = join(synth.files.images, 'train2017', `${sample.key}.jpg`);
      const direct = await sharp(readFileSync(file)).raw().toBuffer();
      expect(sample.jpeg.equals(readFileSync(file)), `${sample.key}.jpg bytes`).to.equal(true);
      expect(sample.pixels!.data.equals(direct), `${sample.key} pixels`).to.equal(true);
      expect([sample.pixels!.width, sample.pixels!.height]).to.deep.equal([image.width, image.height]);
    }
  });

  it('splits the samples among ranks: disjoint, covering, the same on every read', async function () {
    const worldSize = 3;
    const shares: string[][] = [];
    for (let rank = 0; rank < worldSize; rank++) {
      const reader = await openShardDataset(out(), { s3, rank, worldSize, seed: 4, epoch: 1, decode: false });
      const keys = (await readAll(reader)).map((sample) => sample.key);
      expect(keys).to.have.length(reader.size);
      shares.push(keys);
    }
    const all = shares.flat();
    expect(new Set(all).size).to.equal(all.length);
    expect(all.sort()).to.deep.equal(gt.images.map((image) => sampleKey(image.id)).sort());
    const again = await openShardDataset(out(), { s3, rank: 1, worldSize, seed: 4, epoch: 1, decode: false });
    expect((await readAll(again)).map((sample) => sample.key)).to.deep.equal(shares[1]);
  });

  it('shuffles within a share through a seeded buffer: same keys, another order, reproducible', async function () {
    const keys = async (shuffleBuffer: number) =>
      (await readAll(await openShardDataset(out(), { s3, decode: false, seed: 9, shuffleBuffer }))).map(
        (s) => s.key,
      );
    const plain = await keys(0);
    const shuffled = await keys(6);
    expect([...shuffled].sort()).to.deep.equal([...plain].sort());
    expect(shuffled).to.not.deep.equal(plain);
    expect(await keys(6)).to.deep.equal(shuffled);
  });

  it('writes the same dataset to a local directory', async function () {
    const dir = join(makeWorkDir('shards-local'), 'train');
    const local = await prepareShards({
      annotations: synth.files.train,
      images: synth.files.images,
      out: dir,
      shardBytes: 40 * 1024,
    });
    expect(local.manifest).to.deep.equal(manifest);
    const remote = await s3Bytes(s3, bucket, `datasets/tiny/train/${manifest.shards[0]!.name}`);
    expect(
      readFileSync(join(dir, manifest.shards[0]!.name)).equals(remote),
      'shards are reproducible',
    ).to.equal(true);
    const samples = await readAll(await openShardDataset(dir, { decode: false }));
    expect(samples).to.have.length(gt.images.length);
  });

  it('stops when aborted', async function () {
    const controller = new AbortController();
    const reader = await openShardDataset(out(), { s3, signal: controller.signal, prefetch: 1 });
    let read = 0;
    const error = await (async () => {
      for await (const _sample of reader) {
        read += 1;
        if (read === 2) controller.abort(new Error('enough'));
      }
    })().catch((failure: unknown) => failure);
    expect((error as Error).message).to.equal('enough');
    expect(read).to.equal(2);
  });
});

async function s3Bytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}
