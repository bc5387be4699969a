// Reading one byte range of a results file (results-ranges.ts), synchronously: what each reader thread runs
// (results-range-worker.ts), and what tests run on this thread. The range's own reads: `chunkBytes` at a time
// from its cut, past its end until the tokenizer stops at the next range's comma.
import { LvisFormatError, LvisReadError, readLvisFileFrom } from '../../common/index.js';
import { RangeProblem, ResultsTokenizer } from './results-reader.js';
import { BoundaryScanner, type RangeColumns } from './results-ranges.js';

export interface RangeRead {
  file: string;
  /** The range's nominal cut (0 for the first range). */
  cut: number;
  /** The next range's cut; Infinity for the last. */
  stopAt: number;
  /** @default 4 MiB (the loader's chunk) */
  chunkBytes?: number;
}

const defaultChunkBytes = 4 * 1024 * 1024;

function empty(begin: number, problem?: string): RangeColumns {
  return {
    begin,
    stoppedAt: -1,
    ...(problem === undefined ? {} : { problem }),
    count: 0,
    imageId: new Int32Array(0),
    categoryId: new Int32Array(0),
    score: new Float64Array(0),
    boxes: new Float64Array(0),
  };
}

/**
 * Reads one range into raw columns. Anything the sequential reader would refuse (a syntax error, a field of the
 * wrong type, an unreadable file) comes back as `problem`, not thrown: the caller then reads sequentially.
 */
export function readResultsRange(read: RangeRead): RangeColumns {
  let begin = read.cut === 0 ? 0 : -1;
  const scanner = new BoundaryScanner();
  const at = (base: number) => new ResultsTokenizer(undefined, read.file, { base, stopAt: read.stopAt });
  let tokenizer = begin === 0 ? at(0) : undefined;
  // The first detection's bytes go to the tokenizer from its brace (the comma may be in an earlier read).
  try {
    readLvisFileFrom(read.file, read.cut, read.chunkBytes ?? defaultChunkBytes, (bytes, offset) => {
      if (tokenizer === undefined) {
        begin = scanner.feed(bytes, offset);
        if (begin === -1) return true;
        // Two cuts inside one detection: this range is empty, and the next one starts at the same comma.
        if (begin >= read.stopAt) return false;
        tokenizer = at(scanner.brace);
        tokenizer.push(bytes.subarray(scanner.brace - offset));
      } else tokenizer.push(bytes);
      return tokenizer.stoppedAt === -1;
    });
    if (tokenizer === undefined) return begin === -1 ? empty(-1) : { ...empty(begin), stoppedAt: begin };
    const columns = tokenizer.finish();
    return {
      begin,
      stoppedAt: tokenizer.stoppedAt,
      count: columns.count,
      // Copies of the filled part (the builder's arrays are up to twice as long), so only they are kept.
      imageId: columns.imageIndex.slice(),
      categoryId: columns.categoryIndex.slice(),
      score: columns.score.slice(),
      boxes: columns.boxes.slice(),
    };
  } catch (error) {
    const expected =
      error instanceof RangeProblem || error instanceof LvisFormatError || error instanceof LvisReadError;
    if (expected) return empty(begin, error.message);
    throw error;
  }
}
