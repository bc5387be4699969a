import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { openShardDataset, writeSynthDataset, type SynthDatasetSummary } from '../../../../data/internal.js';
import { makeWorkDir, sharedS3, type S3Server } from '../../../harness/index.js';
import { createBucket, listKeys } from '../../../data/shards/fixtures.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const synthOptions = {
  categories: 6,
  trainImages: 12,
  valImages: 3,
  seed: 2,
  minImageSize: 96,
  maxImageSize: 128,
};

describe('baclctl data prepare', function () {
  this.timeout(30_000);
  let server: S3Server;
  let s3: S3Client;
  let bucket: string;
  let synth: SynthDatasetSummary;
  let dir: string;
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    process.env.NODE_ENV = 'test';
    server = await sharedS3();
    s3 = server.client();
    bucket = await createBucket(s3, 'cli-prepare');
    dir = makeWorkDir('cli-prepare');
    synth = await writeSynthDataset(join(dir, 'synth'), synthOptions);
    // Credentials the way users give them: the standard variables, read by the SDK's default chain.
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3'])
      saved[name] = process.env[name];
    process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
  });
  after(function () {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    s3?.destroy();
  });

  const prepare = (...args: string[]) =>
    runCommand(
      ['data', 'prepare', '--annotations', synth.files.train, '--images', synth.files.images, ...args],
      {
        root,
      },
    );

  it('writes shards to S3 given --s3-endpoint and AWS_* credentials', async function () {
    const out = `s3://${bucket}/datasets/tiny/train`;
    const { stdout, error } = await prepare(
      '--out',
      out,
      '--s3-endpoint',
      server.endpoint,
      '--shard-size',
      '32KiB',
    );
    expect(error).to.equal(undefined);
    expect(stdout).to.match(/Wrote \d+ shards to s3:\/\/.*: 12 images, \d+ annotations/);
    const reader = await openShardDataset(out, { s3, decode: false });
    expect(reader.size).to.equal(12);
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3 and answers JSON with --json', async function () {
    process.env.AWS_ENDPOINT_URL_S3 = server.endpoint;
    try {
      const { stdout } = await prepare('--out', `s3://${bucket}/env`, '--json');
      expect(JSON.parse(stdout)).to.include({ samples: 12, skipped: 0 });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_S3;
    }
  });

  it('answers a missing image with exit 3, the image named, and nothing left in the bucket', async function () {
    const copy = await writeSynthDataset(join(dir, 'copy'), { ...synthOptions });
    rmSync(join(copy.files.images, 'train2017', '000000000012.jpg'));
    const { error } = await runCommand(
      [
        'data',
        'prepare',
        '--annotations',
        copy.files.train,
        '--images',
        copy.files.images,
        '--out',
        `s3://${bucket}/missing`,
        '--s3-endpoint',
        server.endpoint,
        '--shard-size',
        '16KiB',
      ],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.code).to.equal('NOT_FOUND');
    expect(error?.message).to.contain(`image 12 (${copy.files.train}: images[11]): no image file`);
    expect(await listKeys(s3, bucket, 'missing/')).to.deep.equal([]);
  });

  it('answers invalid annotations with exit 4, code DATA_INVALID and the JSON path', async function () {
    const bad = join(dir, 'bad.json');
    const gt = JSON.parse(readFileSync(synth.files.train, 'utf8')) as {
      annotations: Array<{ bbox: unknown }>;
    };
    gt.annotations[0]!.bbox = [1, 2, 3];
    writeFileSync(bad, JSON.stringify(gt));
    const { error } = await runCommand(
      ['data', 'prepare', '--annotations', bad, '--images', synth.files.images, '--out', join(dir, 'x')],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.code).to.equal('DATA_INVALID');
    expect(error?.message).to.contain(`${bad}: annotations[0].bbox`);
  });

  it('answers a missing annotation file with exit 3', async function () {
    const { error } = await runCommand(
      ['data', 'prepare', '--annotations', join(dir, 'nope.json'), '--images', dir, '--out', join(dir, 'z')],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(3);
  });

  it('answers a bad --shard-size with exit 2', async function () {
    const { error } = await prepare('--out', join(dir, 'y'), '--shard-size', 'huge');
    expect(error?.oclif?.exit).to.equal(2);
    expect(error?.code).to.equal('USAGE');
  });

  it('lists examples in its help', async function () {
    const { stdout } = await runCommand(['data', 'prepare', '--help'], { root });
    expect(stdout).to.contain('EXAMPLES');
    expect(stdout).to.contain('--out s3://bucket/bacl/datasets/lvis_v1/train');
  });
});
