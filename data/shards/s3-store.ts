// Shards in S3. Objects go up as Buffers through lib-storage's Upload (multipart above 5 MiB, parts retried
// and the upload aborted on failure), never as streams of unknown length through PutObject. manifest.json is
// written last; abort() deletes every object this sink wrote, so a failed prepare leaves the prefix empty.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DestinationNotEmptyError, ShardLocationError } from './errors.js';
import { objectKey, type ShardLocation } from './location.js';
import type { DatasetSink, DatasetSource } from './dataset-io.js';

type S3Location = Extract<ShardLocation, { kind: 's3' }>;

function uri(location: S3Location, name: string): string {
  return `s3://${location.bucket}/${objectKey(location, name)}`;
}

/** Turns the SDK's "no such bucket/key" into a located not-found error; anything else passes through. */
function explain(error: unknown, where: string): unknown {
  const name = (error as { name?: string }).name;
  if (name === 'NoSuchBucket' || name === 'NoSuchKey' || name === 'NotFound') {
    return new ShardLocationError(
      where,
      `no such ${name === 'NoSuchBucket' ? 'bucket' : 'object'} (${name})`,
      'check the bucket and prefix (and --s3-endpoint); a dataset exists once `baclctl data prepare` wrote ' +
        'its manifest.json',
      'not-found',
      error,
    );
  }
  return error;
}

export async function openS3Sink(
  location: S3Location,
  s3: S3Client,
  signal?: AbortSignal,
): Promise<DatasetSink> {
  const listPrefix = location.prefix === '' ? '' : `${location.prefix}/`;
  const listed = await s3
    .send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: listPrefix, MaxKeys: 1 }), {
      abortSignal: signal,
    })
    .catch((error: unknown) => {
      throw explain(error, location.text);
    });
  if ((listed.KeyCount ?? 0) > 0) throw new DestinationNotEmptyError(location.text);
  const written: string[] = [];
  const upload = async (name: string, body: Buffer | Readable, abortSignal?: AbortSignal) => {
    const key = objectKey(location, name);
    written.push(key);
    const request = new Upload({ client: s3, params: { Bucket: location.bucket, Key: key, Body: body } });
    const onAbort = () => void request.abort();
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      await request.done();
    } finally {
      abortSignal?.removeEventListener('abort', onAbort);
    }
    abortSignal?.throwIfAborted();
  };
  return {
    describe: (name) => uri(location, name),
    write: (name, body, abortSignal) => upload(name, body, abortSignal),
    copyFile: (name, path, abortSignal) => upload(name, createReadStream(path), abortSignal),
    async commit(manifest, abortSignal) {
      const key = objectKey(location, 'manifest.json');
      written.push(key);
      await s3.send(
        new PutObjectCommand({
          Bucket: location.bucket,
          Key: key,
          Body: manifest,
          ContentType: 'application/json',
        }),
        { abortSignal },
      );
    },
    async abort() {
      // Deliberately not tied to the caller's signal: cleanup must run after an abort too.
      for (const key of written.splice(0)) {
        await s3.send(new DeleteObjectCommand({ Bucket: location.bucket, Key: key }));
      }
    },
  };
}

export function openS3Source(location: S3Location, s3: S3Client): DatasetSource {
  const get = async (name: string, signal?: AbortSignal) => {
    const key = objectKey(location, name);
    const response = await s3
      .send(new GetObjectCommand({ Bucket: location.bucket, Key: key }), { abortSignal: signal })
      .catch((error: unknown) => {
        throw explain(error, uri(location, name));
      });
    return response.Body as Readable & { transformToByteArray(): Promise<Uint8Array> };
  };
  return {
    describe: (name) => uri(location, name),
    async read(name, signal) {
      return Buffer.from(await (await get(name, signal)).transformToByteArray());
    },
    async *stream(name, signal) {
      const body = await get(name, signal);
      try {
        for await (const chunk of body) yield chunk as Uint8Array;
      } finally {
        // Stopping early (a rank's share ends mid-shard) must release the socket, not drain it.
        body.destroy();
      }
    },
  };
}
