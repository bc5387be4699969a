// Checkpoints in S3 (a job's run prefix `<prefix>/runs/<ns>/<job>/<uid>/`). Blobs go up through lib-storage's
// Upload: one PutObject up to `partSize`, a multipart upload above it (parts retried, the upload aborted on
// failure or on the caller's AbortSignal). Either way the object appears whole when the request completes,
// never partially; S3 has no rename, so the commit protocol relies on that per-object atomicity plus the order
// of the writes (latest.json, a single PutObject, last). Objects are deleted one by one in the order given.
// Every request, a blob's whole upload or download included, goes through retryS3 (data/'s one S3 retry
// policy): a 500/503 or a stall is retried with backoff, and a put that never succeeds throws before anything
// later in the commit order is written, so latest.json keeps naming the previous complete checkpoint.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  resolveS3RetryPolicy,
  retryS3,
  uploadWithin,
  type S3RetryNotice,
  type S3RetryPolicy,
} from '../../data/index.js';
import { CheckpointObjectMissingError } from './errors.js';
import type { CheckpointStore } from './store.js';

export interface S3CheckpointStoreOptions {
  /**
   * Multipart part size in bytes; blobs larger than this go up as a multipart upload.
   * @default 8 MiB: above S3's 5 MiB minimum, few enough parts for ResNet-50 weights (~100 MiB)
   */
  partSize?: number;
  /** Parts in flight at once. @default 4: lib-storage's default; a checkpoint must not starve training I/O */
  queueSize?: number;
  /** Retries of each request. @default defaultS3RetryPolicy (data/shards/s3-retry.ts) */
  retry?: Partial<S3RetryPolicy>;
  /** Told before each retry (the worker logs it). */
  onRetry?: (notice: S3RetryNotice) => void;
}

const notFound = (error: unknown) => {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

export class S3CheckpointStore implements CheckpointStore {
  readonly description: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly retry: S3RetryPolicy;
  private readonly onRetry: ((notice: S3RetryNotice) => void) | undefined;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    /** Key prefix without a trailing slash; '' for the bucket's root. */
    readonly prefix: string,
    options: S3CheckpointStoreOptions = {},
  ) {
    this.description = `s3://${bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 4;
    this.retry = resolveS3RetryPolicy(options.retry);
    this.onRetry = options.onRetry;
  }

  /** `run` under the retry policy, as request `action` on `key`. */
  private request<T>(
    action: string,
    key: string,
    run: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return retryS3({ action, bucket: this.bucket, key }, run, {
      policy: this.retry,
      ...(signal === undefined ? {} : { signal }),
      ...(this.onRetry === undefined ? {} : { onRetry: this.onRetry }),
    });
  }

  private key(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }

  locate(name: string): string {
    return `${this.description}/${name}`;
  }

  async put(name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const key = this.key(name);
    await this.request(
      'PUT',
      key,
      async (attempt) => {
        const request = new Upload({
          client: this.client,
          params: {
            Bucket: this.bucket,
            Key: key,
            Body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          },
          partSize: this.partSize,
          queueSize: this.queueSize,
          leavePartsOnError: false,
        });
        await uploadWithin(request, attempt);
      },
      signal,
    );
    signal?.throwIfAborted();
  }

  async get(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    const key = this.key(name);
    try {
      return await this.request(
        'GET',
        key,
        async (attempt) => {
          const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
            abortSignal: attempt,
          });
          const body = response.Body as { transformToByteArray(): Promise<Uint8Array> };
          return await body.transformToByteArray();
        },
        signal,
      );
    } catch (error) {
      if (notFound(error)) throw new CheckpointObjectMissingError(this.locate(name), { cause: error });
      throw error;
    }
  }

  async size(name: string, signal?: AbortSignal): Promise<number | undefined> {
    const key = this.key(name);
    try {
      const response = await this.request(
        'HEAD',
        key,
        (attempt) =>
          this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
            abortSignal: attempt,
          }),
        signal,
      );
      return response.ContentLength;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string, signal?: AbortSignal): Promise<string[]> {
    const keyPrefix = `${this.key(prefix)}/`;
    const strip = this.prefix === '' ? 0 : this.prefix.length + 1;
    const names: string[] = [];
    let token: string | undefined;
    do {
      const continuation = token;
      const page = await this.request(
        'LIST',
        keyPrefix,
        (attempt) =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: keyPrefix,
              ContinuationToken: continuation,
            }),
            { abortSignal: attempt },
          ),
        signal,
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) names.push(object.Key.slice(strip));
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return names.sort();
  }

  async remove(names: readonly string[], signal?: AbortSignal): Promise<void> {
    for (const name of names) {
      const key = this.key(name);
      await this.request(
        'DELETE',
        key,
        (attempt) =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
            abortSignal: attempt,
          }),
        signal,
      );
    }
  }
}
