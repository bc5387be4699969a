// The results file read in byte ranges (results-ranges.ts) by `threads` threads at once: the first range by
// the calling thread once it has read the ground truth, each other one by a reader thread started at once:
// see docs/adr/0039.
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

/**
 * The calling thread's range is this much of a reader thread's: it reads the ground truth first, which takes
 * about 0.6 of the time of a reader's range at LVIS scale on two threads (0.5 s against 0.8 s of CPU for
 * 5,000 images and 750k detections), so both finish together.
 */
const callerRangeWeight = 0.6;

/** Reader threads at work on all ranges but the first; `first` is the caller's to read. */
export interface RangeReaders {
  first: RangeRead;
  /** The other ranges' columns, in file order. */
  others: Promise<RangeColumns[]>;
  /** Stops the reader threads (the ground truth failed, or an abort). */
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
  const cuts = planRanges(size, threads, options.minRangeBytes ?? 8 * 2 ** 20, callerRangeWeight);
  if (cuts.length < 3) return undefined;
  const reads = cuts.slice(0, -1).map((cut, i): RangeRead => ({
    file,
    cut,
    stopAt: i + 2 < cuts.length ? cuts[i + 1]! : Infinity,
    ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
  }));
  const script = workerScript('results-range-worker');
  const workers = reads
    .slice(1)
    .map((read) => new Worker(script.url, { workerData: read, execArgv: script.execArgv }));
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
  const others = Promise.all(results).finally(() => options.signal?.removeEventListener('abort', onAbort));
  // A rejection no one awaits yet (the ground truth is still being read) is not an unhandled one.
  others.catch(() => undefined);
  return { first: reads[0]!, others, cancel };
}
