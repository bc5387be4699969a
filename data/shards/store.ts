// The two sides of dataset storage, implemented for a local directory (local-store.ts) and S3 (s3-store.ts).
// prepare writes through a DatasetSink; the reader reads through a DatasetSource.
import type { S3Client } from '@aws-sdk/client-s3';
import { openLocalSink, openLocalSource } from './local-store.js';
import { parseShardLocation } from './location.js';
import { openS3Sink, openS3Source } from './s3-store.js';

export interface DatasetSink {
  /** Where `name` ends up, for messages: a path or an s3:// URI. */
  describe(name: string): string;
  write(name: string, body: Buffer, signal?: AbortSignal): Promise<void>;
  /** Copies a (possibly large) local file without holding it in memory. */
  copyFile(name: string, path: string, signal?: AbortSignal): Promise<void>;
  /** Writes manifest.json last, which publishes the dataset. */
  commit(manifest: Buffer, signal?: AbortSignal): Promise<void>;
  /** Removes everything written so far. */
  abort(): Promise<void>;
}

export interface DatasetSource {
  describe(name: string): string;
  /** A small object in full (manifest.json). */
  read(name: string, signal?: AbortSignal): Promise<Buffer>;
  /** A large object as a byte stream; stopping early releases the connection. */
  stream(name: string, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** A sink for `s3://bucket/prefix` (needs `s3`) or a local directory; refuses a non-empty destination. */
export async function openDatasetSink(
  location: string,
  s3?: S3Client,
  signal?: AbortSignal,
): Promise<DatasetSink> {
  const parsed = parseShardLocation(location);
  if (parsed.kind === 'local') return openLocalSink(parsed.dir);
  return openS3Sink(parsed, requireClient(s3, location), signal);
}

export function openDatasetSource(location: string, s3?: S3Client): DatasetSource {
  const parsed = parseShardLocation(location);
  if (parsed.kind === 'local') return openLocalSource(parsed.dir);
  return openS3Source(parsed, requireClient(s3, location));
}

function requireClient(s3: S3Client | undefined, location: string): S3Client {
  if (s3 === undefined) throw new TypeError(`${location} is an S3 location: pass an S3Client`);
  return s3;
}
