// Shards in S3. Objects go up as Buffers through lib-storage's Upload (multipart above 5 MiB, parts retried
// and the upload aborted on failure), never as streams of unknown length through PutObject. manifest.json is
// written last; abort() deletes every object this sink wrote, so a failed prepare leaves the prefix empty.
// Every request goes through retryS3 (s3-retry.ts, the one retry policy); a stream is retried until its first
// byte arrives (opening it), not once it is being read: the reader above it fails with the shard named.
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
import { retryOptions, retryS3, uploadWithin, type S3RetrySettings } from './s3-retry.js';
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
  retry: S3RetrySettings = {},
): Promise<DatasetSink> {
  const listPrefix = location.prefix === '' ? '' : `${location.prefix}/`;
  const { bucket } = location;
  const listed = await retryS3(
    { action: 'LIST', bucket, key: listPrefix },
    (attempt) =>
      s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, MaxKeys: 1 }), {
        abortSignal: attempt,
      }),
    retryOptions(retry, signal),
  ).catch((error: unknown) => {
    throw explain(error, location.text);
  });
  if ((listed.KeyCount ?? 0) > 0) throw new DestinationNotEmptyError(location.text);
  const written: string[] = [];
  /** `body` makes the body afresh for each attempt (a stream is read once). */
  const upload = async (name: string, body: () => Buffer | Readable, abortSignal?: AbortSignal) => {
    const key = objectKey(location, name);
    written.push(key);
    await retryS3(
      { action: 'PUT', bucket, key },
      async (attempt) => {
        const request = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body() } });
        await uploadWithin(request, attempt);
      },
      retryOptions(retry, abortSignal),
    );
    abortSignal?.throwIfAborted();
  };
  return {
    describe: (name) => uri(location, name),
    write: (name, body, abortSignal) => upload(name, () => body, abortSignal),
    copyFile: (name, path, abortSignal) => upload(name, () => createReadStream(path), abortSignal),
    async commit(manifest, abortSignal) {
      const key = objectKey(location, 'manifest.json');
      written.push(key);
      await retryS3(
        { action: 'PUT', bucket, key },
        (attempt) =>
          s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: manifest,
              ContentType: 'application/json',
            }),
            { abortSignal: attempt },
          ),
        retryOptions(retry, abortSignal),
      );
    },
    async abort() {
      // Deliberately not tied to the caller's signal: cleanup must run after an abort too.
      for (const key of written.splice(0)) {
        await retryS3(
          { action: 'DELETE', bucket, key },
          (attempt) =>
            s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: attempt }),
          retry,
        );
      }
    },
  };
}

/** `retry`: the policy and retry log of every request (the call's signal is added per read). */
export function openS3Source(location: S3Location, s3: S3Client, retry: S3RetrySettings = {}): DatasetSource {
  const { bucket } = location;
  type Body = Readable & { transformToByteArray(): Promise<Uint8Array> };
  /**
   * The object's body, to stream. The attempt's deadline covers the request until the answer's headers; after
   * that only the caller's `signal` stays attached (a shard may take longer to read than one attempt may last).
   */
  const open = (name: string, signal?: AbortSignal): Promise<Body> => {
    const key = objectKey(location, name);
    return retryS3(
      { action: 'GET', bucket, key },
      async (attempt) => {
        const cut = new AbortController();
        const onAbort = () => cut.abort(attempt.reason);
        attempt.addEventListener('abort', onAbort, { once: true });
        // AbortSignal.any holds no listener on the caller's long-lived signal once the stream is gone.
        const abortSignal = signal === undefined ? cut.signal : AbortSignal.any([cut.signal, signal]);
        try {
          const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal });
          return response.Body as Body;
        } finally {
          attempt.removeEventListener('abort', onAbort);
        }
      },
      retryOptions(retry, signal),
    ).catch((error: unknown) => {
      throw explain(error, uri(location, name));
    });
  };
  return {
    describe: (name) => uri(location, name),
    async read(name, signal) {
      const key = objectKey(location, name);
      // A whole small object: its body is read inside the attempt, so a stall mid-body is retried too.
      const bytes = await retryS3(
        { action: 'GET', bucket, key },
        async (attempt) => {
          const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
            abortSignal: attempt,
          });
          return (response.Body as Body).transformToByteArray();
        },
        retryOptions(retry, signal),
      ).catch((error: unknown) => {
        throw explain(error, uri(location, name));
      });
      return Buffer.from(bytes);
    },
    async *stream(name, signal) {
      const body = await open(name, signal);
      try {
        for await (const chunk of body) yield chunk as Uint8Array;
      } finally {
        // Stopping early (a rank's share ends mid-shard) must release the socket, not drain it.
        body.destroy();
      }
    },
  };
}
