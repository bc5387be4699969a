// Shard reader throughput against the raw S3 GET throughput of the same bytes, both measured in this run on a
// real S3 server (versitygw, started here like the tests do). The raw figure is the ceiling: GetObject of
// every shard, bytes drained and dropped. The reader adds tar parsing, JSON validation and (the main cost)
// sharp JPEG decoding. Size: BACL_BENCH_SHARD_IMAGES synthetic images (default 600) of 256-384 px.
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { openShardDataset, prepareShards, writeSynthDataset, type ShardManifest } from '../data/internal.js';
import { startS3 } from '../test/harness/s3.js';
import { makeWorkDir, removeWorkDir } from '../test/harness/workdir.js';
import type { Benchmark } from './benchmark.js';

const rounds = 3;

async function rawGet(
  s3: S3Client,
  bucket: string,
  prefix: string,
  manifest: ShardManifest,
  signal: AbortSignal,
) {
  let bytes = 0;
  for (const shard of manifest.shards) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${shard.name}` }), {
      abortSignal: signal,
    });
    for await (const chunk of got.Body as AsyncIterable<Uint8Array>) bytes += chunk.length;
  }
  return bytes;
}

/** The fastest of `rounds` runs, in seconds: the least disturbed by the other work on a shared machine. */
async function best(run: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await run();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return fastest;
}

const benchmark: Benchmark = {
  title: 'Shard reader from S3: decoded images/s vs raw GET of the same bytes',
  async run({ signal, log }) {
    const images = Number(process.env.BACL_BENCH_SHARD_IMAGES ?? 600);
    const work = makeWorkDir('bench-shards');
    const server = await startS3({ signal });
    const s3 = server.client();
    try {
      const synth = await writeSynthDataset(
        join(work, 'synth'),
        { categories: 40, trainImages: images, valImages: 0, seed: 1, minImageSize: 256, maxImageSize: 384 },
        { signal },
      );
      await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
      const prefix = 'datasets/synth/train';
      const { manifest } = await prepareShards({
        annotations: synth.files.train,
        images: synth.files.images,
        out: `s3://bench/${prefix}`,
        s3,
        shardBytes: 4 * 1024 * 1024,
        signal,
      });
      const { samples, bytes, shards } = manifest.totals;
      log(`${samples} images in ${shards} shards, ${(bytes / 1024 ** 2).toFixed(1)} MiB`);
      const readAll = async (decode: boolean) => {
        let count = 0;
        for await (const _sample of await openShardDataset(`s3://bench/${prefix}`, { s3, decode, signal }))
          count++;
        if (count !== samples) throw new Error(`the reader yielded ${count} of ${samples} images`);
      };
      const raw = await best(() => rawGet(s3, 'bench', prefix, manifest, signal));
      const parsed = await best(() => readAll(false));
      const decoded = await best(() => readAll(true));
      const against = 'raw S3 GET of the same shards';
      return [
        { name: 'raw S3 GET', value: bytes / 1024 ** 2 / raw, unit: 'MiB/s' },
        { name: 'raw S3 GET (images carried)', value: samples / raw, unit: 'images/s' },
        {
          name: 'reader, tar + JSON only',
          value: samples / parsed,
          unit: 'images/s',
          ratio: { value: raw / parsed, against },
        },
        {
          name: 'reader, decoded to RGB (sharp)',
          value: samples / decoded,
          unit: 'images/s',
          ratio: { value: raw / decoded, against },
        },
      ];
    } finally {
      s3.destroy();
      await server.stop();
      removeWorkDir(work);
    }
  },
};

export default benchmark;
