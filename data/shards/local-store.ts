// Shards on a local disk. Writing goes to a sibling temp directory renamed into place by commit(), so the
// dataset appears whole or not at all; abort() removes the temp directory.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { DestinationNotEmptyError, ShardLocationError } from './errors.js';
import type { DatasetSink, DatasetSource } from './store.js';

async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

export async function openLocalSink(dir: string): Promise<DatasetSink> {
  if (!(await isMissingOrEmpty(dir))) throw new DestinationNotEmptyError(dir);
  await mkdir(dirname(dir), { recursive: true });
  const temp = join(dirname(dir), `.${basename(dir)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  return {
    describe: (name) => join(dir, name),
    async write(name, body) {
      await writeFile(join(temp, name), body);
    },
    async copyFile(name, path) {
      await copyFile(path, join(temp, name));
    },
    async commit(manifest) {
      await writeFile(join(temp, 'manifest.json'), manifest);
      // rename(2) replaces an empty directory in one step; a non-empty one was refused above.
      await rename(temp, dir);
    },
    async abort() {
      await rm(temp, { recursive: true, force: true });
    },
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
