// Opens the checkpoint store a URI names (BACL_CHECKPOINT_URI, `baclctl run --out DIR`): `s3://bucket/prefix`
// → S3CheckpointStore, `file:///abs/dir` or a plain path → LocalCheckpointStore.
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { CheckpointLocationError } from './errors.js';
import { assertStage, parseCheckpointDir } from './layout.js';
import { LocalCheckpointStore } from './local-store.js';
import { S3CheckpointStore, type S3CheckpointStoreOptions } from './s3-store.js';
import type { CheckpointStore } from './store.js';

export type CheckpointLocation =
  { kind: 's3'; bucket: string; prefix: string } | { kind: 'local'; dir: string };

/** Parses a run root URI; throws CheckpointLocationError naming the URI for anything else. */
export function parseCheckpointUri(uri: string): CheckpointLocation {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new CheckpointLocationError(
        uri,
        `"${bucket}" is not a valid bucket name`,
        'use s3://bucket/prefix',
      );
    }
    if (prefix !== '' && prefix.split('/').some((segment) => ['', '.', '..'].includes(segment))) {
      throw new CheckpointLocationError(
        uri,
        'the prefix has an empty, . or .. segment',
        'use s3://bucket/a/b',
      );
    }
    return { kind: 's3', bucket, prefix };
  }
  if (uri.startsWith('file:')) {
    try {
      return { kind: 'local', dir: fileURLToPath(uri) };
    } catch (error) {
      throw new CheckpointLocationError(
        uri,
        'is not a valid file: URL',
        'use file:///absolute/dir or a plain path',
        {
          cause: error,
        },
      );
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || uri === '') {
    throw new CheckpointLocationError(
      uri,
      'only s3://, file:// and plain paths are supported',
      'use s3://bucket/prefix or a directory',
    );
  }
  return { kind: 'local', dir: uri };
}

export interface OpenCheckpointStoreOptions extends S3CheckpointStoreOptions {
  /** The client for an s3:// URI (configured once at start-up, e.g. from data/'s resolveS3ClientConfig). */
  s3?: S3Client;
}

export function openCheckpointStore(uri: string, options: OpenCheckpointStoreOptions = {}): CheckpointStore {
  const location = parseCheckpointUri(uri);
  if (location.kind === 'local') return new LocalCheckpointStore(location.dir);
  if (options.s3 === undefined) {
    throw new CheckpointLocationError(uri, 'is an S3 location but no S3 client was given', 'pass options.s3');
  }
  return new S3CheckpointStore(options.s3, location.bucket, location.prefix, options);
}

/** A checkpoint named by URI (`resume: <uri>`, a checkpoint report's `uri`): its run root, stage and step. */
export interface CheckpointRef {
  root: string;
  stage: string;
  step: number;
}

/** Splits `<root>/checkpoints/<stage>/ckpt-<step>` (a path, file: URL or s3:// URI); throws for anything else. */
export function parseCheckpointRef(uri: string): CheckpointRef {
  const match = /^(.+)\/checkpoints\/([^/]+)\/(ckpt-[^/]+)\/?$/.exec(uri);
  const step = match === null ? undefined : parseCheckpointDir(match[3] ?? '');
  if (match === null || step === undefined) {
    throw new CheckpointLocationError(
      uri,
      'does not name a checkpoint',
      'use <run>/checkpoints/<stage>/ckpt-<step>, or resume: auto',
    );
  }
  const [, root = '', stage = ''] = match;
  assertStage(stage);
  parseCheckpointUri(root);
  return { root, stage, step };
}
