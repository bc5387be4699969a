// Loading LVIS ground truth and results, from a file, a byte stream (an S3 body) or an already parsed value.
//
// Memory: the file is read in chunks and cut into elements (json-scan.ts); each element is JSON.parsed,
// validated and converted before the next one is read, so the loader never holds the whole text, nor a
// second copy of the tree. Annotations drop their `segmentation` unless asked to keep it: polygons are most
// of the train file's bytes, and bbox training and evaluation never read them.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { LvisFormatError, LvisReadError } from './errors.js';
import { scanJson } from './json-scan.js';
import type { LvisDetection, LvisGroundTruth } from './schema.js';
import { groundTruthVisitor, resultsVisitor, visitValue, type VisitorOptions } from './visitors.js';

export interface LvisLoadOptions extends VisitorOptions {
  /** Stops reading between chunks. */
  signal?: AbortSignal;
  /** Bytes per read from disk. @default 4 MiB */
  chunkBytes?: number;
}

const defaultChunkBytes = 4 * 1024 * 1024;

/** The file's bytes in `chunkBytes` reads; a missing or unreadable file is an LvisReadError. */
export async function* lvisFileChunks(
  file: string,
  options: Pick<LvisLoadOptions, 'chunkBytes'> = {},
): AsyncIterable<Uint8Array> {
  try {
    await access(file);
  } catch (error) {
    throw new LvisReadError(file, { cause: error });
  }
  const stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? defaultChunkBytes });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new LvisReadError(file, { cause: error });
  }
}

/** Reads and validates an LVIS v0.5/v1 ground-truth file chunk by chunk (see the file comment). */
export async function loadLvisGroundTruth(
  file: string,
  options: LvisLoadOptions = {},
): Promise<LvisGroundTruth> {
  return readLvisGroundTruth(lvisFileChunks(file, options), file, options);
}

/** Same as loadLvisGroundTruth, from a byte stream (an S3 object body); `source` names it in errors. */
export async function readLvisGroundTruth(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  options: LvisLoadOptions = {},
): Promise<LvisGroundTruth> {
  const visitor = groundTruthVisitor(source, options);
  await scanJson(chunks, source, visitor, options.signal);
  return visitor.done();
}

/** Validates an already parsed ground truth (tests, generated data); `source` names it in errors. */
export function parseLvisGroundTruth(
  value: unknown,
  source = '<memory>',
  options: LvisLoadOptions = {},
): LvisGroundTruth {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LvisFormatError(
      { file: source, jsonPath: '$' },
      'the top level is not an object',
      'Pass the LVIS annotation JSON (an object with images, annotations and categories).',
    );
  }
  const visitor = groundTruthVisitor(source, {
    ...options,
    keepSegmentation: options.keepSegmentation ?? true,
  });
  visitValue(value, visitor);
  return visitor.done();
}

/** Reads and validates a bbox results file (a JSON array of detections) chunk by chunk. */
export async function loadLvisResults(file: string, options: LvisLoadOptions = {}): Promise<LvisDetection[]> {
  return readLvisResults(lvisFileChunks(file, options), file, options);
}

export async function readLvisResults(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  options: LvisLoadOptions = {},
): Promise<LvisDetection[]> {
  const visitor = resultsVisitor(source);
  await scanJson(chunks, source, visitor, options.signal);
  return visitor.done();
}

/** Validates already parsed results; `source` names them in errors. */
export function parseLvisResults(value: unknown, source = '<memory>'): LvisDetection[] {
  const visitor = resultsVisitor(source);
  visitValue(value, visitor);
  return visitor.done();
}
