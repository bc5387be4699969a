// Checkpoints in S3 (a job's run prefix `<prefix>/runs/<ns>/<job>/<uid>/`). Blobs go up through lib-storage's
// Upload: one PutObject up to `partSize`, a multipart upload above it (parts retried, the upload aborted on
// failure or on the caller's AbortSignal). Either way the object appears whole when the request completes,
// never partially; S3 has no rename, so the commit protocol relies on that per-object atomicity plus the order
// of the writes (latest.json, a single PutObject, last). Objects are deleted one by one in the order given.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
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
}

const notFound = (error: unknown) => {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
};

export class S3CheckpointStore implements CheckpointStore {
  readonly description: string;
  private readonly partSize: number;
  private readonly queueSize: number;

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
  }

  private key(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}/${name}`;
  }

  locate(name: string): string {
    return `${this.description}/${name}`;
  }

  async put(name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const request = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: this.key(name),
        Body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    const onAbort = () => void request.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await request.done();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
  }

  async get(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }),
        { abortSignal: signal },
      );
      return await (response.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    } catch (error) {
      if (notFound(error)) throw new CheckpointObjectMissingError(this.locate(name), { cause: error });
      throw error;
    }
  }

  async size(name: string, signal?: AbortSignal): Promise<number | undefined> {
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(name) }),
        { abortSignal: signal },
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
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: keyPrefix, ContinuationToken: token }),
        { abortSignal: signal },
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
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), {
        abortSignal: signal,
      });
    }
  }
}
