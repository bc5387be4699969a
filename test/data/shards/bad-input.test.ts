import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { LvisFormatError, LvisJsonSyntaxError, LvisReferenceError } from '../../../common/internal.js';
import {
  DestinationNotEmptyError,
  openShardDataset,
  prepareShards,
  readTarEntries,
  ShardFormatError,
  ShardRecordError,
  SourceImageError,
  tarEnd,
  tarMember,
  type DatasetSample,
  type SynthDatasetSummary,
} from '../../../data/internal.js';
import { makeWorkDir, sharedS3 } from '../../harness/index.js';
import { createBucket, listKeys, tinySynthDataset } from './fixtures.js';

async function readAll(iterable: AsyncIterable<DatasetSample>): Promise<DatasetSample[]> {
  const samples: DatasetSample[] = [];
  for await (const sample of iterable) samples.push(sample);
  return samples;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (error: unknown) => error,
  );
}

/** Rewrites one member of a local shard through `change` (keeping the tar valid). */
async function rewriteMember(file: string, member: string, change: (data: Buffer) => Buffer): Promise<void> {
  const parts: Buffer[] = [];
  const bytes = readFileSync(file);
  for await (const entry of readTarEntries([bytes])) {
    parts.push(...tarMember(entry.name, entry.name === member ? change(entry.data) : entry.data));
  }
  writeFileSync(file, Buffer.concat([...parts, tarEnd()]));
}

describe('data/shards: bad input', function () {
  let s3: S3Client;
  let bucket: string;
  let synth: SynthDatasetSummary;
  let work: string;
  let prefixes = 0;
  const freshOut = () => `s3://${bucket}/p${prefixes++}`;
  const keysUnder = (out: string) => listKeys(s3, bucket, `${out.split('/').at(-1)}/`);

  before(async function () {
    s3 = (await sharedS3()).client();
    bucket = await createBucket(s3, 'bad-input');
    synth = await tinySynthDataset();
    work = makeWorkDir('shards-bad');
  });
  after(function () {
    s3?.destroy();
  });

  /** A copy of the train annotations with `edit` applied. */
  function editedAnnotations(name: string, edit: (gt: Record<string, unknown[]>) => void): string {
    const gt = JSON.parse(readFileSync(synth.files.train, 'utf8')) as Record<string, unknown[]>;
    edit(gt);
    const file = join(work, name);
    writeFileSync(file, JSON.stringify(gt));
    return file;
  }

  async function prepareFails(
    annotations: string,
    images = synth.files.images,
    onShard?: (name: string) => void,
  ): Promise<unknown> {
    const out = freshOut();
    const error = await failure(
      prepareShards({ annotations, images, out, s3, shardBytes: 40 * 1024, onShard }),
    );
    expect(await keysUnder(out), 'nothing left under the prefix').to.deep.equal([]);
    return error;
  }

  describe('prepare', function () {
    it('names the byte where truncated JSON stops', async function () {
      const file = join(work, 'truncated.json');
      const text = readFileSync(synth.files.train);
      writeFileSync(file, text.subarray(0, Math.floor(text.length / 2)));
      const error = await prepareFails(file);
      expect(error).to.be.instanceOf(LvisJsonSyntaxError).with.property('file', file);
    });

    it('names the JSON path of a value of the wrong type', async function () {
      const file = editedAnnotations('wrong-type.json', (gt) => {
        (gt.annotations![3] as { bbox: unknown }).bbox = 'not a box';
      });
      const error = await prepareFails(file);
      expect(error).to.be.instanceOf(LvisFormatError).with.property('jsonPath', 'annotations[3].bbox');
    });

    it('names the annotation with an unknown category id', async function () {
      const file = editedAnnotations('unknown-category.json', (gt) => {
        (gt.annotations![5] as { category_id: number }).category_id = 999;
      });
      const error = await prepareFails(file);
      expect(error)
        .to.be.instanceOf(LvisReferenceError)
        .with.property('jsonPath', 'annotations[5].category_id');
      expect((error as Error).message).to.contain('category 999 is not in categories');
    });

    it('names a missing image and removes the shards already uploaded', async function () {
      const images = join(work, 'images-missing');
      cpSync(synth.files.images, images, { recursive: true });
      // The last train image: by then earlier shards are in S3 and must be deleted again.
      rmSync(join(images, 'train2017', '000000000018.jpg'));
      const uploaded: string[] = [];
      const error = await prepareFails(synth.files.train, images, (name) => uploaded.push(name));
      expect(uploaded.length, 'shards were uploaded before the failure').to.be.greaterThan(1);
      expect(error).to.be.instanceOf(SourceImageError).with.property('imageId', 18);
      expect((error as SourceImageError).jsonPath).to.equal('images[17]');
      expect((error as Error).message).to.contain(join(images, 'train2017', '000000000018.jpg'));
    });

    it('skips and counts bad images with skipBad', async function () {
      const images = join(work, 'images-bad');
      cpSync(synth.files.images, images, { recursive: true });
      rmSync(join(images, 'train2017', '000000000002.jpg'));
      writeFileSync(join(images, 'train2017', '000000000003.jpg'), 'not a jpeg');
      const out = freshOut();
      const result = await prepareShards({ annotations: synth.files.train, images, out, s3, skipBad: true });
      expect(result.skipped.map((error) => [error.imageId, error.kind])).to.deep.equal([
        [2, 'not-found'],
        [3, 'invalid'],
      ]);
      expect(result.manifest.totals).to.include({ samples: 16, skipped: 2 });
    });

    it('removes what it uploaded when aborted', async function () {
      const out = freshOut();
      const controller = new AbortController();
      const error = await failure(
        prepareShards({
          annotations: synth.files.train,
          images: synth.files.images,
          out,
          s3,
          shardBytes: 20_000,
          signal: controller.signal,
          onShard: () => controller.abort(new Error('cancelled')),
        }),
      );
      expect((error as Error).message).to.equal('cancelled');
      expect(await keysUnder(out)).to.deep.equal([]);
    });

    it('refuses a destination that already holds a dataset, leaving it untouched', async function () {
      const out = freshOut();
      await prepareShards({ annotations: synth.files.val, images: synth.files.images, out, s3 });
      const before = await keysUnder(out);
      const error = await failure(
        prepareShards({ annotations: synth.files.train, images: synth.files.images, out, s3 }),
      );
      expect(error).to.be.instanceOf(DestinationNotEmptyError);
      expect(await keysUnder(out)).to.deep.equal(before);
    });

    it('leaves no local directory behind on failure', async function () {
      const parent = makeWorkDir('shards-local-fail');
      const file = editedAnnotations('unknown-image.json', (gt) => {
        (gt.annotations![0] as { image_id: number }).image_id = 4242;
      });
      const error = await failure(
        prepareShards({ annotations: file, images: synth.files.images, out: join(parent, 'ds') }),
      );
      expect(error).to.be.instanceOf(LvisReferenceError);
      const images = join(work, 'images-late');
      cpSync(synth.files.images, images, { recursive: true });
      rmSync(join(images, 'train2017', '000000000018.jpg'));
      await failure(
        prepareShards({
          annotations: synth.files.train,
          images,
          out: join(parent, 'ds'),
          shardBytes: 20_000,
        }),
      );
      expect(readdirSync(parent)).to.deep.equal([]);
    });
  });

  describe('reader', function () {
    let dataset: string;
    let copies = 0;
    before(async function () {
      dataset = join(work, 'local-dataset');
      await prepareShards({
        annotations: synth.files.train,
        images: synth.files.images,
        out: dataset,
        shardBytes: 40 * 1024,
      });
    });
    /** A copy of the local dataset to damage. */
    function copy(): string {
      const dir = join(work, `damaged-${copies++}`);
      cpSync(dataset, dir, { recursive: true });
      return dir;
    }

    it('names the shard and key of a corrupt JPEG; skipBad skips and counts it', async function () {
      const dir = copy();
      const shard = join(dir, 'shard-000000.tar');
      await rewriteMember(shard, '000000000002.jpg', (data) =>
        Buffer.concat([data.subarray(0, 200), Buffer.alloc(300, 0x55)]),
      );
      const error = await failure(readAll(await openShardDataset(dir)));
      expect(error).to.be.instanceOf(ShardRecordError).with.property('shard', 'shard-000000.tar');
      expect((error as ShardRecordError).key).to.equal('000000000002');
      expect((error as Error).message).to.contain('000000000002.jpg does not decode');

      const skipping = await openShardDataset(dir, { skipBad: true });
      const samples = await readAll(skipping);
      expect(skipping.skipped).to.equal(1);
      expect(samples).to.have.length(17);
      expect(samples.map((s) => s.key)).to.not.include('000000000002');
    });

    it('names the shard, key and JSON path of a record with wrong types', async function () {
      const dir = copy();
      await rewriteMember(join(dir, 'shard-000000.tar'), '000000000001.json', (data) => {
        const value = JSON.parse(data.toString()) as { image: { width: unknown } };
        value.image.width = 'wide';
        return Buffer.from(JSON.stringify(value));
      });
      const error = await failure(readAll(await openShardDataset(dir, { decode: false })));
      expect(error).to.be.instanceOf(ShardRecordError).with.property('key', '000000000001');
      expect((error as Error).message).to.contain(
        'shard-000000.tar: record 000000000001: 000000000001.json image.width',
      );
    });

    it('names a truncated shard and the last record read', async function () {
      const dir = copy();
      const shard = join(dir, 'shard-000001.tar');
      const bytes = readFileSync(shard);
      writeFileSync(shard, bytes.subarray(0, bytes.length - 3000));
      const error = await failure(readAll(await openShardDataset(dir, { decode: false })));
      expect(error).to.be.instanceOf(ShardFormatError).with.property('shard', 'shard-000001.tar');
      expect((error as Error).message).to.match(/truncated|end marker/);
      expect((error as ShardFormatError).afterKey).to.be.a('string');

      const skipping = await openShardDataset(dir, { decode: false, skipBad: true });
      const samples = await readAll(skipping);
      expect(skipping.skipped).to.be.greaterThan(0);
      expect(samples.length + skipping.skipped, 'every record delivered or counted').to.equal(18);
    });

    it('refuses a directory without a manifest', async function () {
      const error = await failure(openShardDataset(join(work, 'nothing-here')));
      expect((error as Error).message).to.contain('manifest.json');
      expect(existsSync(join(work, 'nothing-here'))).to.equal(false);
    });
  });
});
