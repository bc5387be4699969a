// `baclctl eval`'s evaluation of two files. With more than one thread, reader threads read the results file
// in byte ranges (results-range-threads.ts) while this thread reads the ground truth through the loader
// (common/lvis), then the first range; the ranges are joined in file order against the ground truth. Whatever the ranges cannot settle (a problem
// in the file, a wrong guess of a range's start) is read again by the streaming reader on this thread, so
// results and errors are the sequential reader's. Then the categories on `threads` threads.
import { availableParallelism } from 'node:os';
import { loadLvisGroundTruth } from '../../common/index.js';
import { detectionTargets } from './detections.js';
import { checkThreads, evaluateLvisParallel, type LvisEvaluation } from './evaluate.js';
import { loadResultsColumns } from './results-reader.js';
import { readResultsRange } from './results-range-read.js';
import { startRangeReaders } from './results-range-threads.js';
import { joinRanges } from './results-ranges.js';

export interface LvisFilesOptions {
  /** Threads for reading the results and the per-category work; 1 uses no worker. @default os.availableParallelism() */
  threads?: number;
  /** Evaluate only these images. */
  imageIds?: readonly number[];
  /** Results ranges are at least this long (tests use small ones). @default 8 MiB */
  minRangeBytes?: number;
  signal?: AbortSignal;
}

/** The default thread count: every core this process may use. */
export function defaultEvalThreads(): number {
  return availableParallelism();
}

/** Reads `gtFile` and `resultsFile` (a wrong --gt is reported first, whatever is wrong with the results) and evaluates. */
export async function evaluateLvisFiles(
  gtFile: string,
  resultsFile: string,
  options: LvisFilesOptions = {},
): Promise<LvisEvaluation> {
  const threads = options.threads ?? defaultEvalThreads();
  checkThreads(threads);
  const { signal } = options;
  const readers =
    threads > 1
      ? startRangeReaders(resultsFile, threads, {
          ...(options.minRangeBytes === undefined ? {} : { minRangeBytes: options.minRangeBytes }),
          ...(signal ? { signal } : {}),
        })
      : undefined;
  let gt;
  try {
    gt = await loadLvisGroundTruth(gtFile, { signal });
  } catch (error) {
    await readers?.cancel();
    throw error;
  }
  const targets = detectionTargets(gt);
  let ranges;
  if (readers !== undefined) {
    try {
      const first = readResultsRange(readers.first);
      ranges = [first, ...(await readers.others)];
    } catch (error) {
      await readers.cancel();
      signal?.throwIfAborted();
      throw error;
    }
  }
  const columns =
    (ranges && joinRanges(ranges, targets)) ?? (await loadResultsColumns(resultsFile, targets, { signal }));
  return evaluateLvisParallel(gt, columns, {
    threads,
    targets,
    resultsSource: resultsFile,
    ...(options.imageIds ? { imageIds: options.imageIds } : {}),
    ...(signal ? { signal } : {}),
  });
}
