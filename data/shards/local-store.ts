// Datasets on a local disk. Everything is written into a sibling temp directory that one rename(2) puts in
// place (AtomicDirectory), so a reader, or a crash, sees the dataset whole or not at all; discarding removes
// the temp directory. The shard sink (openLocalSink) and the synthetic-data writer (data/synth/write.ts)
// both write through it.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { DatasetSink, DatasetSource } from './dataset-io.js';
import { DestinationNotEmptyError, ShardLocationError } from './errors.js';

/** A directory being built in a temp directory; `publish` renames it into place. Names are relative paths. */
export interface AtomicDirectory {
  /** The final directory. */
  readonly dir: string;
  /** Makes the (relative) directory `name`, with its parents. */
  makeDirectory(name: string): Promise<void>;
  /** Writes the file `name`, making its parent directories. */
  write(name: string, body: Uint8Array | string): Promise<void>;
  /** Copies the local file `path` to `name` without holding it in memory. */
  copyFile(name: string, path: string): Promise<void>;
  /** Renames the temp directory into place: the whole directory appears at once. */
  publish(): Promise<void>;
  /** Removes the temp directory and everything written so far. */
  discard(): Promise<void>;
}

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Starts building `dir`, which must not exist or be empty (else the error `notEmpty` makes, naming it), in a
 * sibling temp directory `.<name>.partial-<random>`.
 */
export async function openAtomicDirectory(
  dir: string,
  notEmpty: (dir: string) => Error,
): Promise<AtomicDirectory> {
  if (!(await isMissingOrEmpty(dir))) throw notEmpty(dir);
  await mkdir(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  return {
    dir,
    async makeDirectory(name) {
      await mkdir(join(temp, name), { recursive: true });
    },
    async write(name, body) {
      const path = join(temp, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
    },
    async copyFile(name, path) {
      await copyFile(path, join(temp, name));
    },
    async publish() {
      // rename(2) replaces an empty directory in one step; a non-empty one was refused above.
      await rename(temp, dir);
    },
    async discard() {
      await rm(temp, { recursive: true, force: true });
    },
  };
}

export async function openLocalSink(dir: string): Promise<DatasetSink> {
  const target = await openAtomicDirectory(dir, (destination) => new DestinationNotEmptyError(destination));
  return {
    describe: (name) => join(dir, name),
    write: (name, body) => target.write(name, body),
    copyFile: (name, path) => target.copyFile(name, path),
    async commit(manifest) {
      await target.write('manifest.json', manifest);
      await target.publish();
    },
    abort: () => target.discard(),
  };
}

export function openLocalSource(dir: string): DatasetSource {
  return {
    describe: (name) => join(dir, name),
    async read(name) {
      try {
        return await readFile(join(dir, name));
      } catch (error) {
        throw new ShardLocationError(
          join(dir, name),
          'cannot read the file',
          'check the path: a dataset directory holds manifest.json and its shards',
          'not-found',
          error,
        );
      }
    },
    async *stream(name, signal) {
      const stream = createReadStream(join(dir, name), { highWaterMark: 256 * 1024, signal });
      for await (const chunk of stream) yield chunk as Buffer;
    },
  };
}
