// A tiny synthetic dataset written once per test run, and a fresh bucket per test file.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { writeSynthDataset, type SynthDatasetSummary } from '../../../data/internal.js';
import { makeWorkDir } from '../../harness/index.js';

let dataset: Promise<SynthDatasetSummary> | undefined;

/** 18 train + 6 val images of 96-128 px: a few shards at a 40 KB shard size. */
export function tinySynthDataset(): Promise<SynthDatasetSummary> {
  return (dataset ??= writeSynthDataset(join(makeWorkDir('shards-synth'), 'ds'), {
    categories: 8,
    trainImages: 18,
    valImages: 6,
    seed: 21,
    minImageSize: 96,
    maxImageSize: 128,
  }));
}

export async function createBucket(s3: S3Client, name: string): Promise<string> {
  const bucket = `${name}-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}
