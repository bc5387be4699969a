// Putting the ranks' detections together (issue #13 point 5, issue #14 point 1) and writing them out, as pure
// functions:
// - each rank infers a disjoint share of the val shards and keeps, per image, the rows inference produced
//   (class by class, each class by descending score: lvis-results.ts), its images sorted by id;
// - the merge orders every image of every rank by image id and concatenates their rows, each image's rows in
//   the order inference produced them. Where a rank's share starts or which rank read an image does not
//   show: the merged list of any world size equals a one-rank run's;
// - the results file is one detection per line, keys in the LVIS order, numbers as JavaScript prints a double
//   (the shortest text that parses back to the same double, so the evaluator reading the file sees the very
//   numbers the stage evaluated) with -0 written as 0: the same detections give the same bytes.
import type { LvisDetection } from '../../common/index.js';
import { EvaluateMergeError } from './eval-errors.js';

/** One val image's detections, in the order inference produced them. */
export interface ImageDetections {
  imageId: number;
  detections: LvisDetection[];
}

/** What one rank inferred: every image of its share (with or without detections), sorted by image id. */
export interface RankDetections {
  rank: number;
  worldSize: number;
  images: ImageDetections[];
}

/** A finite number with -0 as 0, or an error naming the rank, image and field. */
function canonical(value: unknown, rank: number, imageId: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EvaluateMergeError(
      rank,
      `image ${imageId}: ${field} is ${String(value)}, not a finite number`,
      'the weights produce non-finite outputs: evaluate a checkpoint from before the divergence',
    );
  }
  return value === 0 ? 0 : value;
}

/** A row with exactly the four LVIS keys, in order, and canonical numbers. */
function canonicalRow(row: LvisDetection, rank: number, imageId: number, k: number): LvisDetection {
  const number = (value: unknown, field: string) =>
    canonical(value, rank, imageId, `detection ${k} ${field}`);
  if (row.image_id !== imageId) {
    throw new EvaluateMergeError(
      rank,
      `detection ${k} listed under image ${imageId} names image ${row.image_id}`,
      'this is a bug in the evaluate stage: report it',
    );
  }
  const [x, y, w, h] = row.bbox;
  return {
    image_id: imageId,
    category_id: number(row.category_id, 'category_id'),
    bbox: [number(x, 'bbox[0]'), number(y, 'bbox[1]'), number(w, 'bbox[2]'), number(h, 'bbox[3]')],
    score: number(row.score, 'score'),
  };
}

/** A rank's images sorted by id (stable: a rank never holds an image twice, the merge checks). */
export function sortImages(images: readonly ImageDetections[]): ImageDetections[] {
  return [...images].sort((a, b) => a.imageId - b.imageId);
}

function checkParts(parts: readonly RankDetections[]): RankDetections[] {
  if (parts.length === 0) {
    throw new EvaluateMergeError(-1, 'no rank delivered detections', 'run the evaluate stage on every rank');
  }
  const worldSize = parts[0]!.worldSize;
  const byRank: RankDetections[] = [];
  for (const part of parts) {
    if (part.worldSize !== worldSize) {
      throw new EvaluateMergeError(
        part.rank,
        `its part is from a world of ${part.worldSize} ranks, rank ${parts[0]!.rank}'s from ${worldSize}`,
        'clear eval/parts/ of the run and evaluate again with one world size',
      );
    }
    if (!Number.isInteger(part.rank) || part.rank < 0 || part.rank >= worldSize || byRank[part.rank]) {
      throw new EvaluateMergeError(
        part.rank,
        `its part is not one of ranks 0..${worldSize - 1} or came twice`,
        'every rank must deliver exactly one part',
      );
    }
    byRank[part.rank] = part;
  }
  for (let rank = 0; rank < worldSize; rank++) {
    if (byRank[rank] === undefined) {
      throw new EvaluateMergeError(rank, 'its detections are missing', 'the rank failed: see its log');
    }
  }
  return byRank;
}

/**
 * The ranks' detections as one results list ordered by image id (see the header). `expectedImages` (the val
 * split's image count) makes an image that no rank inferred an error too.
 */
export function mergeRankDetections(
  parts: readonly RankDetections[],
  expectedImages?: number,
): LvisDetection[] {
  const owner = new Map<number, number>();
  const images: ImageDetections[] = [];
  for (const part of checkParts(parts)) {
    for (const image of part.images) {
      const previous = owner.get(image.imageId);
      if (previous !== undefined) {
        throw new EvaluateMergeError(
          part.rank,
          `image ${image.imageId} was also inferred by rank ${previous}`,
          "the ranks' shares overlap: every rank must read the same manifest with the same world size",
        );
      }
      owner.set(image.imageId, part.rank);
      images.push({
        imageId: image.imageId,
        detections: image.detections.map((row, k) => canonicalRow(row, part.rank, image.imageId, k)),
      });
    }
  }
  if (expectedImages !== undefined && owner.size !== expectedImages) {
    throw new EvaluateMergeError(
      -1,
      `the ranks inferred ${owner.size} images, the val split has ${expectedImages}`,
      'a share was cut short: evaluate again',
    );
  }
  return sortImages(images).flatMap((image) => image.detections);
}

/** The results file's text (see the header): `[` + one row per line + `]` and a newline. */
export function detectionsJson(rows: readonly LvisDetection[]): string {
  if (rows.length === 0) return '[]\n';
  const lines = rows.map(({ image_id, category_id, bbox, score }) =>
    JSON.stringify({ image_id, category_id, bbox, score }),
  );
  return `[\n${lines.join(',\n')}\n]\n`;
}
