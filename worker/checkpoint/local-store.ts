// Checkpoints in a local directory (`baclctl run --out DIR`). Each object is a file written to a temporary
// name in its own directory, flushed (fsync) and renamed into place: rename(2) is atomic, so a reader, or a
// process killed mid-write, sees the old file or the new one whole. Temp files are named `.<base>.<random>.tmp`
// and never listed.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { CheckpointObjectMissingError } from './errors.js';
import type { CheckpointStore } from './store.js';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const TEMP = /^\..*\.tmp$/;

export class LocalCheckpointStore implements CheckpointStore {
  readonly description: string;

  constructor(readonly root: string) {
    this.description = root;
  }

  locate(name: string): string {
    return join(this.root, name);
  }

  async put(name: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const path = this.locate(name);
    await mkdir(dirname(path), { recursive: true });
    const temporary = join(dirname(path), `.${name.split('/').pop()}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const handle = await open(temporary, 'w');
      try {
        await handle.writeFile(bytes, { signal });
        await handle.sync();
      } finally {
        await handle.close();
      }
      signal?.throwIfAborted();
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.locate(name), { signal }));
    } catch (error) {
      if (isMissing(error)) throw new CheckpointObjectMissingError(this.locate(name), { cause: error });
      throw error;
    }
  }

  async size(name: string): Promise<number | undefined> {
    try {
      const info = await stat(this.locate(name));
      return info.isFile() ? info.size : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string, signal?: AbortSignal): Promise<string[]> {
    const base = this.locate(prefix);
    let entries;
    try {
      entries = await readdir(base, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    signal?.throwIfAborted();
    return entries
      .filter((entry) => entry.isFile() && !TEMP.test(entry.name))
      .map((entry) => relative(this.root, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .sort();
  }

  async remove(names: readonly string[], signal?: AbortSignal): Promise<void> {
    const parents = new Set<string>();
    for (const name of names) {
      signal?.throwIfAborted();
      await rm(this.locate(name), { force: true });
      for (let dir = dirname(name); dir !== '.' && dir !== ''; dir = dirname(dir)) parents.add(dir);
    }
    // Empty directories left behind go too, deepest first; a non-empty one (another writer's) stays.
    for (const dir of [...parents].sort((a, b) => b.length - a.length)) {
      await rmdir(this.locate(dir)).catch(() => undefined);
    }
  }
}
