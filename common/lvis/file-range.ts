// Synchronous chunked reads of part of a file, for the evaluator's results reader threads (data/eval reads a
// results file in byte ranges, one per thread: docs/adr/0039). Synchronous because each thread does nothing
// else meanwhile; a missing or unreadable file is an LvisReadError, as from the streaming loader.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { LvisReadError } from './errors.js';

/** The file's size in bytes, or undefined when it cannot be looked at (the reader then reports why). */
export function lvisFileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/**
 * Reads `file` from byte `from` on in fresh buffers of `chunkBytes` (the consumer may keep them), handing each
 * with its file offset to `take` until it returns false or the file ends.
 */
export function readLvisFileFrom(
  file: string,
  from: number,
  chunkBytes: number,
  take: (bytes: Uint8Array, at: number) => boolean,
): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new LvisReadError(file, { cause: error });
  }
  try {
    for (let at = from; ;) {
      const chunk = Buffer.allocUnsafeSlow(chunkBytes);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunkBytes, at);
      } catch (error) {
        throw new LvisReadError(file, { cause: error });
      }
      if (n === 0 || !take(chunk.subarray(0, n), at)) return;
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}
