// Issue #16, bad input, data: corrupt annotation files and shards against the real S3 server, through the
// commands and readers a user meets: `baclctl data prepare`, the shard reader the worker trains from (with the
// worker's own dataset opening), and `baclctl eval`. Every row fails naming the file or shard (the full S3
// URI) and the record, key or JSON path, and says what to do; a failed prepare leaves nothing under its prefix
// (above all no manifest.json claiming a complete dataset). ADR 0036.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { loadTrainingConfig } from '../../../common/index.js';
import {
  openShardDataset,
  openDatasetSource,
  prepareShards,
  readTarEntries,
  tarEnd,
  tarMember,
  type DatasetSample,
  type SynthDatasetSummary,
} from '../../../data/internal.js';
import {
  filterOptions,
  initTf,
  openTrainDataset,
  stepsPerEpoch,
  trainBatches,
  trainPipeline,
} from '../../../worker/internal.js';
import { cliRoot } from '../../cli/kube-fixture.js';
import { makeWorkDir, sharedS3, type S3Server } from '../../harness/index.js';
import { createBucket, listKeys, tinySynthDataset } from '../../data/shards/fixtures.js';
import { recordReliability } from '../reliability/entries.js';
import { firstLines } from './record.js';

interface Row {
  id: string;
  input: string;
  /** Runs the bad input; answers the message the user sees and what is left behind. */
  act: () => Promise<{ message: string; leftBehind: string }>;
  says: (string | RegExp)[];
}

type Gt = { images: { id: number }[]; annotations: Record<string, unknown>[]; categories: unknown[] };

describe('e2e bad input: corrupt annotation files and shards, named by file, shard, key and field', function () {
  this.timeout(240_000);
  let server: S3Server;
  let s3: S3Client;
  let bucket: string;
  let synth: SynthDatasetSummary;
  let work: string;
  let prefixes = 0;
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    server = await sharedS3();
    s3 = server.client();
    bucket = await createBucket(s3, 'bad-input-data');
    synth = await tinySynthDataset();
    work = makeWorkDir('bad-input-data');
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3'])
      saved[name] = process.env[name];
    process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
    delete process.env.AWS_ENDPOINT_URL_S3;
    process.env.NODE_ENV = 'test';
    await initTf({ backend: 'cpu' });
    await prepareShards({
      annotations: synth.files.train,
      images: synth.files.images,
      out: `s3://${bucket}/good`,
      s3,
      shardBytes: 40 * 1024,
      keepSegmentation: true,
    });
  });
  after(function () {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    s3?.destroy();
  });

  // ---- helpers ----
  const gt = (): Gt => JSON.parse(readFileSync(synth.files.train, 'utf8')) as Gt;
  const valGt = (): Gt => JSON.parse(readFileSync(synth.files.val, 'utf8')) as Gt;
  const writeJson = (name: string, value: unknown) => {
    const file = join(work, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };
  const emptyPrefix = async (out: string) => {
    const keys = await listKeys(s3, bucket, `${out.split('/').at(-1)}/`);
    expect(keys, `nothing left under ${out}`).to.deep.equal([]);
    return `nothing under ${out.replace(bucket, '<bucket>')} (no shard, no manifest.json)`;
  };
  const getObject = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  };
  const putObject = (key: string, body: Buffer | string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  /** A copy of the good dataset under a fresh prefix; answers its s3:// location. */
  const copyGood = async (): Promise<{ prefix: string; location: string }> => {
    const prefix = `damaged-${prefixes++}`;
    for (const key of await listKeys(s3, bucket, 'good/')) {
      await putObject(`${prefix}/${key.slice('good/'.length)}`, await getObject(key));
    }
    return { prefix, location: `s3://${bucket}/${prefix}` };
  };
  const rewriteMember = async (key: string, member: string, change: (data: Buffer) => Buffer) => {
    const parts: Buffer[] = [];
    for await (const entry of readTarEntries([await getObject(key)])) {
      parts.push(...tarMember(entry.name, entry.name === member ? change(entry.data) : entry.data));
    }
    await putObject(key, Buffer.concat([...parts, tarEnd()]));
  };
  const firstMembers = async (key: string): Promise<string[]> => {
    const names: string[] = [];
    for await (const entry of readTarEntries([await getObject(key)])) names.push(entry.name);
    return names;
  };
  const failure = async (run: () => Promise<unknown>): Promise<Error> => {
    try {
      await run();
    } catch (error) {
      return error as Error;
    }
    return expect.fail('expected a failure');
  };
  /** The message and, for the data tools' typed errors, their "what to do" line, as the worker logs them. */
  const withHint = (error: Error) => {
    const hint = (error as { hint?: unknown }).hint;
    return typeof hint === 'string' && !error.message.includes(hint)
      ? `${error.message}\nTry this: ${hint}`
      : error.message;
  };
  const tinyConfig = () =>
    loadTrainingConfig('tiny', { sets: ['model.roi_head.num_classes=8', 'data.synth.categories=8'] }).config;
  /** One epoch of the worker's training batches (classifier pipeline, one rank), as a rank reads them. */
  const trainEpoch = async (location: string) => {
    const config = tinyConfig();
    const source = openDatasetSource(location, s3);
    const dataset = await openTrainDataset(source, config);
    const batches = trainBatches({
      manifest: dataset.manifest,
      source,
      pipeline: trainPipeline(config.data, 'classifier'),
      filter: filterOptions(config.data),
      labels: dataset.labels,
      samplesPerGpu: 2,
      seed: 0,
      rank: 0,
      worldSize: 1,
      steps: stepsPerEpoch(dataset, 1, 2),
      cursor: { epoch: 0, step: 0 },
    });
    let delivered = 0;
    for await (const batch of batches) delivered += batch.samples.length;
    return delivered;
  };
  const workerRow = (damage: (prefix: string) => Promise<void>) => async () => {
    const { prefix, location } = await copyGood();
    await damage(prefix);
    const error = await failure(() => trainEpoch(location));
    return {
      message: withHint(error),
      leftBehind: 'nothing written (the rank stops before the step trains)',
    };
  };
  /** Reads the whole dataset as the worker's loader does (ShardDatasetReader, JPEGs decoded). */
  const readAll = async (location: string) => {
    const samples: DatasetSample[] = [];
    for await (const sample of await openShardDataset(location, { s3 })) samples.push(sample);
    return samples;
  };
  const prepare = async (annotations: string, out: string, images = synth.files.images) => {
    const { error } = await runCommand(
      [
        ...['data', 'prepare', '--annotations', annotations, '--images', images, '--out', out],
        ...['--s3-endpoint', server.endpoint, '--shard-size', '40KB'],
      ],
      { root: cliRoot },
    );
    expect(error, 'prepare failed').to.not.equal(undefined);
    const tryThis = (error as { suggestions?: string[] } | undefined)?.suggestions?.[0];
    return `${error?.message ?? ''}${tryThis === undefined ? '' : `\nTry this: ${tryThis}`}`;
  };
  const prepareRow = (name: string, value: unknown) => async () => {
    const out = `s3://${bucket}/prepared-${prefixes++}`;
    const message = await prepare(writeJson(name, value), out);
    return { message, leftBehind: await emptyPrefix(out) };
  };
  const evaluate = async (groundTruth: string, results: string) => {
    const { error } = await runCommand(['eval', '--gt', groundTruth, '--results', results], {
      root: cliRoot,
    });
    expect(error, 'eval failed').to.not.equal(undefined);
    const tryThis = (error as { suggestions?: string[] } | undefined)?.suggestions?.[0];
    return {
      message: `${error?.message ?? ''}${tryThis === undefined ? '' : `\nTry this: ${tryThis}`}`,
      leftBehind: 'nothing (eval writes no file without --out)',
    };
  };
  const detections = () =>
    valGt().annotations.map((a) => ({
      image_id: a.image_id,
      category_id: a.category_id,
      bbox: a.bbox,
      score: 0.9,
    }));
  const readerRow = (damage: (prefix: string) => Promise<void>) => async () => {
    const { prefix, location } = await copyGood();
    await damage(prefix);
    const error = await failure(() => readAll(location));
    return {
      message: withHint(error),
      leftBehind: 'nothing written (a reader); no sample delivered past the damage',
    };
  };

  const rows: Row[] = [
    // ---- baclctl data prepare: the annotation file ----
    {
      id: 'prepare-annotations-not-json',
      input: 'data prepare --annotations of a file cut in half (not JSON)',
      act: async () => {
        const text = readFileSync(synth.files.train);
        return prepareRow('cut.json', text.subarray(0, Math.floor(text.length / 2)).toString())();
      },
      says: [/cut\.json/, /byte \d+|JSON/],
    },
    {
      id: 'prepare-box-negative-size',
      input: 'data prepare with annotations[3].bbox = [10, 10, -5, 20]',
      act: async () => {
        const value = gt();
        value.annotations[3]!.bbox = [10, 10, -5, 20];
        return prepareRow('negative-box.json', value)();
      },
      says: ['negative-box.json', 'annotations[3].bbox[2]', 'width is negative'],
    },
    {
      id: 'prepare-unknown-category',
      input: 'data prepare with annotations[5].category_id = 999 (not in categories)',
      act: async () => {
        const value = gt();
        value.annotations[5]!.category_id = 999;
        return prepareRow('unknown-category.json', value)();
      },
      says: ['unknown-category.json', 'annotations[5].category_id', 'category 999 is not in categories'],
    },
    {
      id: 'prepare-duplicate-image-id',
      input: 'data prepare with images[4].id equal to images[3].id',
      act: async () => {
        const value = gt();
        value.images[4]!.id = value.images[3]!.id;
        return prepareRow('duplicate-image.json', value)();
      },
      says: ['duplicate-image.json', 'images[4].id', /duplicate|twice|again/],
    },
    {
      id: 'prepare-image-missing-mid-way',
      input: 'data prepare whose last image is missing (shards already uploaded when it fails)',
      act: async () => {
        const out = `s3://${bucket}/prepared-${prefixes++}`;
        const value = gt();
        const last = value.images.at(-1) as { coco_url?: string; file_name?: string; id: number };
        last.coco_url = 'http://images.cocodataset.org/train2017/999999999999.jpg';
        last.file_name = '999999999999.jpg';
        const message = await prepare(writeJson('missing-image.json', value), out);
        return { message, leftBehind: await emptyPrefix(out) };
      },
      says: [
        /image \d+ \(.*missing-image\.json: images\[17\]\): no image file/,
        '999999999999.jpg',
        '--skip-bad',
      ],
    },
    // ---- the shard reader the worker trains from, on S3 ----
    {
      id: 'reader-shard-truncated',
      input: 'shard-000001.tar in S3 cut 3000 bytes short',
      act: readerRow(async (prefix) => {
        const key = `${prefix}/shard-000001.tar`;
        const bytes = await getObject(key);
        await putObject(key, bytes.subarray(0, bytes.length - 3000));
      }),
      says: [
        /s3:\/\/bad-input-data-[0-9a-f]+\/damaged-\d+\/shard-000001\.tar: /,
        /truncated|end marker/,
        /after record \d+/,
      ],
    },
    {
      id: 'reader-shard-garbled',
      input: 'shard-000000.tar in S3 with its first 512 bytes overwritten',
      act: readerRow(async (prefix) => {
        const key = `${prefix}/shard-000000.tar`;
        const bytes = await getObject(key);
        bytes.fill(0x5a, 0, 512);
        await putObject(key, bytes);
      }),
      says: [/damaged-\d+\/shard-000000\.tar: /, 'a tar header has a wrong checksum', 'rebuild the dataset'],
    },
    {
      id: 'reader-manifest-count-disagrees',
      input: 'manifest.json saying shard-000000.tar holds one record more than it does',
      act: readerRow(async (prefix) => {
        const manifest = JSON.parse((await getObject(`${prefix}/manifest.json`)).toString()) as {
          shards: { samples: number }[];
        };
        manifest.shards[0]!.samples += 1;
        await putObject(`${prefix}/manifest.json`, JSON.stringify(manifest));
      }),
      says: [/damaged-\d+\/shard-000000\.tar: holds \d+ records, the manifest says \d+/, 'disagree'],
    },
    {
      id: 'reader-shard-from-other-dataset',
      input: 'shard-000001.tar replaced by shard-000000.tar (the manifest names other keys)',
      act: readerRow(async (prefix) => {
        await putObject(`${prefix}/shard-000001.tar`, await getObject(`${prefix}/shard-000000.tar`));
      }),
      says: [
        /damaged-\d+\/shard-000001\.tar: starts with record \d+, the manifest says \d+/,
        'different datasets',
      ],
    },
    {
      id: 'reader-record-bad-box',
      input: "a record's JSON in shard-000000.tar with a box of negative height",
      act: readerRow(async (prefix) => {
        const key = `${prefix}/shard-000000.tar`;
        const member = (await firstMembers(key)).find((name) => name.endsWith('.json'))!;
        await rewriteMember(key, member, (data) => {
          const value = JSON.parse(data.toString()) as { annotations: { bbox: number[] }[] };
          value.annotations[0]!.bbox[3] = -4;
          return Buffer.from(JSON.stringify(value));
        });
      }),
      says: [
        /damaged-\d+\/shard-000000\.tar: record \d+: \d+\.json annotations\[0\]\.bbox\[3\]: height is negative/,
      ],
    },
    {
      id: 'reader-record-not-json',
      input: "a record's JSON in shard-000000.tar replaced by garbage",
      act: readerRow(async (prefix) => {
        const key = `${prefix}/shard-000000.tar`;
        const member = (await firstMembers(key)).find((name) => name.endsWith('.json'))!;
        await rewriteMember(key, member, () => Buffer.from('{"image": {"id": 1,'));
      }),
      says: [/damaged-\d+\/shard-000000\.tar: record \d+: \d+\.json is not JSON/, 'skipBad'],
    },
    {
      id: 'reader-record-jpeg-corrupt',
      input: "a record's JPEG in shard-000000.tar cut and padded with junk",
      act: readerRow(async (prefix) => {
        const key = `${prefix}/shard-000000.tar`;
        const member = (await firstMembers(key)).find((name) => name.endsWith('.jpg'))!;
        await rewriteMember(key, member, (data) =>
          Buffer.concat([data.subarray(0, 200), Buffer.alloc(300, 0x55)]),
        );
      }),
      says: [/damaged-\d+\/shard-000000\.tar: record \d+: \d+\.jpg does not decode/],
    },
    {
      id: 'reader-manifest-not-json',
      input: 'manifest.json in S3 overwritten with text',
      act: readerRow(async (prefix) => {
        await putObject(`${prefix}/manifest.json`, 'not json');
      }),
      says: [/damaged-\d+\/manifest\.json: not JSON/, 'prepare the dataset again'],
    },
    {
      id: 'reader-no-manifest',
      input: 'a dataset prefix in S3 without manifest.json (never prepared, or prepare failed)',
      act: async () => {
        const error = await failure(() => readAll(`s3://${bucket}/never-prepared`));
        return { message: withHint(error), leftBehind: 'nothing (a reader)' };
      },
      says: [/never-prepared\/manifest\.json: no such object \(NoSuchKey\)/, 'check the bucket and prefix'],
    },
    {
      id: 'worker-annotations-corrupt',
      input: "the annotations.json the worker reads beside the shards, with images[2].id = 'two'",
      act: async () => {
        const { prefix, location } = await copyGood();
        const value = gt();
        (value.images[2] as { id: unknown }).id = 'two';
        await putObject(`${prefix}/annotations.json`, JSON.stringify(value));
        const config = tinyConfig();
        const error = await failure(() => openTrainDataset(openDatasetSource(location, s3), config));
        return { message: withHint(error), leftBehind: 'nothing written (the rank stops before training)' };
      },
      says: [/damaged-\d+\/annotations\.json/, 'images[2].id'],
    },
    {
      id: 'worker-loader-shard-truncated',
      input: "the worker's training loader on a dataset whose shard-000002.tar is cut short in S3",
      act: workerRow(async (prefix) => {
        const key = `${prefix}/shard-000002.tar`;
        const bytes = await getObject(key);
        await putObject(key, bytes.subarray(0, Math.floor(bytes.length / 2)));
      }),
      says: [/s3:\/\/.*\/damaged-\d+\/shard-000002\.tar: /, /truncated|end marker/],
    },
    {
      id: 'worker-loader-record-bad-category',
      input: "the worker's training loader on a record whose annotation has category_id 999",
      act: workerRow(async (prefix) => {
        const key = `${prefix}/shard-000001.tar`;
        const member = (await firstMembers(key)).find((name) => name.endsWith('.json'))!;
        await rewriteMember(key, member, (data) => {
          const value = JSON.parse(data.toString()) as { annotations: { category_id: number }[] };
          value.annotations[0]!.category_id = 999;
          return Buffer.from(JSON.stringify(value));
        });
      }),
      says: [
        /s3:\/\/.*\/damaged-\d+\/shard-000001\.tar: record \d{12}: \d{12}\.json annotations\[0\]\.category_id: category 999 is not among the dataset's categories/,
      ],
    },
    // ---- baclctl eval ----
    {
      id: 'eval-results-not-json',
      input: 'eval --results of a file that is not JSON',
      act: async () =>
        evaluate(synth.files.val, writeJson('results-garbage.json', '[{"image_id": 1, "bbox": [')),
      says: ['results-garbage.json', 'the file ends inside [0]', 'written completely'],
    },
    {
      id: 'eval-results-unknown-category',
      input: 'eval --results with [2].category_id = 999',
      act: async () => {
        const value = detections();
        value[2]!.category_id = 999;
        return evaluate(synth.files.val, writeJson('results-category.json', value));
      },
      says: ['results-category.json', '[2].category_id', '999'],
    },
    {
      id: 'eval-results-negative-box',
      input: 'eval --results with [1].bbox = [5, 5, 10, -3]',
      act: async () => {
        const value = detections();
        value[1]!.bbox = [5, 5, 10, -3];
        return evaluate(synth.files.val, writeJson('results-box.json', value));
      },
      says: ['results-box.json', '[1].bbox', 'negative width or height', 'x, y, width, height'],
    },
    {
      id: 'eval-gt-duplicate-image',
      input: 'eval --gt with images[1].id equal to images[0].id',
      act: async () => {
        const value = valGt();
        value.images[1]!.id = value.images[0]!.id;
        return evaluate(writeJson('gt-duplicate.json', value), writeJson('results-ok.json', detections()));
      },
      says: ['gt-duplicate.json', 'images[1].id'],
    },
  ];

  it('reads the undamaged dataset and evaluates the undamaged files (the rows differ only in the damage)', async function () {
    const { location } = await copyGood();
    expect(await readAll(location)).to.have.length(18);
    const { error } = await runCommand(
      ['eval', '--gt', synth.files.val, '--results', writeJson('valid-results.json', detections())],
      { root: cliRoot },
    );
    expect(error).to.equal(undefined);
  });

  for (const row of rows) {
    it(`refuses ${row.input}`, async function () {
      const { message, leftBehind } = await row.act();
      for (const part of row.says) {
        if (typeof part === 'string') expect(message, message).to.contain(part);
        else expect(message, message).to.match(part);
      }
      recordReliability({
        kind: 'bad-input',
        id: row.id,
        test: this.test!.fullTitle(),
        surface: 'data',
        input: row.input,
        message: firstLines(
          message
            .replaceAll(work, '.')
            .replaceAll(synth.files.images, '<images>')
            .replaceAll(bucket, '<bucket>'),
          5,
        ),
        leftBehind,
      });
    });
  }
});
