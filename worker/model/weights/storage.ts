// Where checkpoints live, behind the smallest interface both a directory and S3 can implement: whole objects
// by name. The checkpoint writer puts the blob before the manifest, so a reader that finds the manifest finds a
// complete blob (an S3 implementation gets the same ordering from PutObject's atomicity). Implementations do
// I/O, so they live outside worker/model: worker/storage/directory-storage.ts.
import { WeightsFormatError } from './errors.js';

export interface WeightStorage {
  /** Stores `bytes` under `name`, replacing any object there; readers see the old or the new object whole. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** The object under `name`; rejects with WeightsNotFoundError when there is none. */
  get(name: string): Promise<Uint8Array>;
  /** For messages, e.g. `dir /runs/a` or `s3://bucket/prefix`. */
  readonly description: string;
}

/** Object names are relative paths of plain segments: no empty, '.', '..' or backslash segments. */
export function assertObjectName(name: string): void {
  const segments = name.split('/');
  if (name.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new WeightsFormatError(
      name,
      "is not a valid object name (relative, '/'-separated, no '.' or '..')",
    );
  }
}
