// A results reader thread (results-ranges.ts): reads its range, sends the columns (their buffers moved, not
// copied) and exits.
import { parentPort, workerData } from 'node:worker_threads';
import { readResultsRange, type RangeRead } from './results-range-read.js';

const columns = readResultsRange(workerData as RangeRead);
parentPort!.postMessage(columns, [
  columns.imageId.buffer,
  columns.categoryId.buffer,
  columns.score.buffer,
  columns.boxes.buffer,
] as ArrayBuffer[]);
