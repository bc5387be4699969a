// Opens dataset storage by location: a local directory (local-store.ts) or S3 (s3-store.ts). The DatasetSink
// and DatasetSource types live in dataset-io.ts, so the implementations do not import this file back.
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetSink, DatasetSource } from './dataset-io.js';
import { openLocalSink, openLocalSource } from './local-store.js';
import { parseShardLocation } from './location.js';
import type { S3RetrySettings } from './s3-retry.js';
import { openS3Sink, openS3Source } from './s3-store.js';

/**
 * A sink for `s3://bucket/prefix` (needs `s3`) or a local directory; refuses a non-empty destination.
 * `retry`: the S3 retry policy and log (s3-retry.ts). @default data's default policy, retries not logged
 */
export async function openDatasetSink(
  location: string,
  s3?: S3Client,
  signal?: AbortSignal,
  retry: S3RetrySettings = {},
): Promise<DatasetSink> {
  const parsed = parseShardLocation(location);
  if (parsed.kind === 'local') return openLocalSink(parsed.dir);
  return openS3Sink(parsed, requireClient(s3, location), signal, retry);
}

/**
 * A source for `s3://bucket/prefix` (needs `s3`) or a local directory. `retry`: the policy every S3 read
 * follows and who is told of each retry (the worker logs it). @default data's default policy, retries not logged
 */
export function openDatasetSource(
  location: string,
  s3?: S3Client,
  retry: S3RetrySettings = {},
): DatasetSource {
  const parsed = parseShardLocation(location);
  if (parsed.kind === 'local') return openLocalSource(parsed.dir);
  return openS3Source(parsed, requireClient(s3, location), retry);
}

function requireClient(s3: S3Client | undefined, location: string): S3Client {
  if (s3 === undefined) throw new TypeError(`${location} is an S3 location: pass an S3Client`);
  return s3;
}
