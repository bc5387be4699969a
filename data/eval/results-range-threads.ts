// The results file read by `threads` reader threads at once, one byte range each (results-ranges.ts), while
// the caller reads the ground truth: see docs/adr/0039.
import { Worker } from 'node:worker_threads';
import { lvisFileSize } from '../../common/index.js';
import { workerScript } from './parallel.js';
import type { RangeRead } from './results-range-read.js';
import { planRanges, type RangeColumns } from './results-ranges.js';

export interface RangeThreadsOptions {
  /**
   * Ranges are at least this long: a smaller file is not worth a thread's start-up (about 50 ms).
   * @default 8 MiB
   */
  minRangeBytes?: number;
  /** Bytes per read. @default 4 MiB */
  chunkBytes?: number;
  signal?: AbortSignal;
}

/** Reader threads at work; `done` gives each range's columns in file order. */
export interface RangeReaders {
  done: Promise<RangeColumns[]>;
  /** Stops them (the ground truth failed, or an abort). */
  cancel(): Promise<void>;
}

/**
 * Starts reading `file` in up to `threads` ranges; undefined when it is not worth it (a small file, one
 * thread) or the file cannot be looked at (the sequential reader then reports that).
 */
export function startRangeReaders(
  file: string,
  threads: number,
  options: RangeThreadsOptions = {},
): RangeReaders | undefined {
  const size = lvisFileSize(file);
  if (size === undefined) return undefined;
  const cuts = planRanges(size, threads, options.minRangeBytes ?? 8 * 2 ** 20);
  if (cuts.length < 3) return undefined;
  const script = workerScript('results-range-worker');
  const workers = cuts.slice(0, -1).map((cut, i) => {
    const read: RangeRead = {
      file,
      cut,
      stopAt: i + 2 < cuts.length ? cuts[i + 1]! : Infinity,
      ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
    };
    return new Worker(script.url, { workerData: read, execArgv: script.execArgv });
  });
  const results = workers.map(
    (worker) =>
      new Promise<RangeColumns>((resolve, reject) => {
        worker.once('message', (columns: RangeColumns) => resolve(columns));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`a results reader thread exited with code ${code}`)));
      }),
  );
  const cancel = async () => {
    await Promise.allSettled(workers.map(async (worker) => worker.terminate()));
  };
  const onAbort = () => void cancel();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const done = Promise.all(results).finally(() => options.signal?.removeEventListener('abort', onAbort));
  // A rejection no one awaits yet (the ground truth is still being read) is not an unhandled one.
  done.catch(() => undefined);
  return { done, cancel };
}
