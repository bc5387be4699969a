// The results file cut into byte ranges, one per thread, read at the same time (docs/adr/0039). The cut points
// are nominal: range i is everything from the first top-level comma at or past cut i up to the first one at or
// past cut i + 1, so every detection belongs to exactly one range, whole. A range's reader cannot know where a
// top-level comma is without the text before it (a comma may sit in a string or a nested extra field), so it
// guesses: the first comma at or past its cut that whitespace and '{' follow. Its predecessor, which reads
// past its own end to that true comma, then checks the guess (joinRanges): they agree on every file a detector
// writes. Where they do not (a guess inside an extra field), or a range holds anything the sequential reader
// would refuse, the caller reads the file again with the sequential reader, whose result or error is then the
// one given, as it is without ranges. The ranges are joined in file order, so the columns, and with them every
// order-dependent step of the evaluation (score ties in input order), are the sequential reader's.
import type { DetectionColumns, DetectionTargets } from './detections.js';
import { isOutsideImage } from './detections.js';

/** What reading one range gave (the worker's message). */
export interface RangeColumns {
  /** File offset of the comma the range started at: 0 for the first, -1 when no guess was found. */
  begin: number;
  /** File offset of the comma where it stopped (the next range's begin), -1 when it read to the end. */
  stoppedAt: number;
  /** Set when the range holds something only the sequential reader may report or keep. */
  problem?: string;
  count: number;
  /** Raw image and category ids. */
  imageId: Int32Array;
  categoryId: Int32Array;
  score: Float64Array;
  boxes: Float64Array;
}

/**
 * The nominal cut points of a file of `size` bytes into at most `parts` ranges of at least `minBytes` each:
 * [0, c1, ..., size]. The first range is `firstWeight` times as long as each of the others.
 */
export function planRanges(size: number, parts: number, minBytes: number, firstWeight = 1): number[] {
  const count = Math.max(1, Math.min(parts, Math.floor(size / Math.max(1, minBytes))));
  if (count === 1) return [0, size];
  const first = Math.floor((size * firstWeight) / (firstWeight + count - 1));
  return [
    0,
    ...Array.from({ length: count }, (_, i) => first + Math.floor(((size - first) * i) / (count - 1))),
  ];
}

const comma = 0x2c;
const openBrace = 0x7b;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Finds a range's guessed start, the bytes fed in order from its cut: see the file comment. */
export class BoundaryScanner {
  /** File offset of a comma seen with only whitespace after it so far, -1 when none. */
  private comma = -1;
  /** File offset of the brace after the guessed comma, once found (in the bytes `feed` found it in). */
  brace = -1;

  /** The guessed comma's file offset once found in `bytes` (which start at file offset `at`), else -1. */
  feed(bytes: Uint8Array, at: number): number {
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (this.comma !== -1) {
        if (c === openBrace) {
          this.brace = at + i;
          return this.comma;
        }
        if (isWhitespace(c)) continue;
        this.comma = -1;
      }
      if (c === comma) this.comma = at + i;
    }
    return -1;
  }
}

/**
 * The ranges' columns joined in file order, ids mapped to the targets' indices and boxes outside their image
 * counted; undefined when the ranges do not chain (a wrong guess), hold a problem, or name an id the ground
 * truth lacks: then only the sequential reader gives the right answer or error.
 */
export function joinRanges(
  ranges: readonly RangeColumns[],
  targets: DetectionTargets,
): DetectionColumns | undefined {
  let expected = 0;
  let total = 0;
  for (const range of ranges) {
    if (range.problem !== undefined || range.begin !== expected) return undefined;
    if (range.begin === -1) continue;
    expected = range.stoppedAt;
    total += range.count;
  }
  if (expected !== -1) return undefined;
  const columns: DetectionColumns = {
    count: total,
    imageIndex: new Int32Array(total),
    categoryIndex: new Int32Array(total),
    score: new Float64Array(total),
    boxes: new Float64Array(total * 4),
    outsideImage: { count: 0, first: -1 },
  };
  let at = 0;
  for (const range of ranges) {
    for (let i = 0; i < range.count; i++, at++) {
      const image = targets.images.indexOf(range.imageId[i]!);
      const category = targets.categories.indexOf(range.categoryId[i]!);
      if (image === -1 || category === -1) return undefined;
      columns.imageIndex[at] = image;
      columns.categoryIndex[at] = category;
      const b = i * 4;
      const x = range.boxes[b]!;
      const y = range.boxes[b + 1]!;
      const w = range.boxes[b + 2]!;
      const h = range.boxes[b + 3]!;
      if (isOutsideImage(targets, image, x, y, w, h)) {
        if (columns.outsideImage.count++ === 0) columns.outsideImage.first = at;
      }
    }
    columns.score.set(range.score.subarray(0, range.count), at - range.count);
    columns.boxes.set(range.boxes.subarray(0, range.count * 4), (at - range.count) * 4);
  }
  return columns;
}
