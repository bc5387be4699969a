// Checkpoint storage in a local directory (WeightStorage, worker/model/weights/storage.ts): each object is a
// file, written to a temporary name and renamed into place, so a reader sees the old or the new object whole.
// Kept out of worker/model, which does no I/O of its own (eslint.config.js).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertObjectName, WeightsNotFoundError, type WeightStorage } from '../model/weights/index.js';

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
