// `baclctl eval`'s evaluation of two files: the ground truth through the loader (common/lvis), the results
// through the streaming reader straight into columns, then the categories on `threads` threads.
import { availableParallelism } from 'node:os';
import { loadLvisGroundTruth } from '../../common/index.js';
import { detectionTargets } from './detections.js';
import { evaluateLvisParallel, type LvisEvaluation } from './evaluate.js';
import { loadResultsColumns } from './results-reader.js';

export interface LvisFilesOptions {
  /** Threads for the per-category work; 1 uses no worker. @default os.availableParallelism() */
  threads?: number;
  /** Evaluate only these images. */
  imageIds?: readonly number[];
  signal?: AbortSignal;
}

/** The default thread count: every core this process may use. */
export function defaultEvalThreads(): number {
  return availableParallelism();
}

/** Reads `gtFile` then `resultsFile` (so a wrong --gt is reported first) and evaluates. */
export async function evaluateLvisFiles(
  gtFile: string,
  resultsFile: string,
  options: LvisFilesOptions = {},
): Promise<LvisEvaluation> {
  const gt = await loadLvisGroundTruth(gtFile, { signal: options.signal });
  const targets = detectionTargets(gt);
  const columns = await loadResultsColumns(resultsFile, targets, { signal: options.signal });
  return evaluateLvisParallel(gt, columns, {
    threads: options.threads ?? defaultEvalThreads(),
    targets,
    resultsSource: resultsFile,
    ...(options.imageIds ? { imageIds: options.imageIds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
