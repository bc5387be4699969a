// Where checkpoints live, behind the smallest interface both a directory and S3 can implement: whole objects
// by name. The checkpoint writer puts the blob before the manifest, so a reader that finds the manifest finds a
// complete blob (an S3 implementation gets the same ordering from PutObject's atomicity).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeightsFormatError, WeightsNotFoundError } from './errors.js';

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

/** A local directory; each object is a file, written to a temporary name and renamed into place. */
export class DirectoryStorage implements WeightStorage {
  readonly description: string;

  constructor(readonly directory: string) {
    this.description = `dir ${directory}`;
  }

  async put(name: string, bytes: Uint8Array): Promise<void> {
    assertObjectName(name);
    const path = join(this.directory, name);
    await mkdir(join(path, '..'), { recursive: true });
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(name: string): Promise<Uint8Array> {
    assertObjectName(name);
    try {
      return new Uint8Array(await readFile(join(this.directory, name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new WeightsNotFoundError(name, this.description, { cause: error });
      }
      throw error;
    }
  }
}
