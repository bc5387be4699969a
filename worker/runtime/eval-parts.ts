// A rank's detections on their way to the merge when the stage runs on several ranks (issue #14 point 1:
// "streamed to the run prefix per rank and merged", ADR 0029): as inference proceeds, each rank writes its
// part under the run prefix as numbered chunks of `chunkImages` images each,
// `eval/parts/rank-<r>-of-<n>/chunk-<c>.json` (c from 00000), and rank 0 reads them all back once every rank
// is done. Chunk c of a rank holds images c * chunkImages .. of its share in the order it inferred them, so
// the chunk count of every rank follows from the share sizes (shareSizes) and rank 0 reads exactly those
// names. One image per line:
//   {"rank":0,"worldSize":2,"chunk":0,"images":[
//   {"image_id":1,"detections":[{"image_id":1,"category_id":3,"bbox":[x,y,w,h],"score":0.5},...]},
//   ...]}
// Numbers are printed as the results file prints them (eval-merge.ts), so a part read back holds the same
// doubles and the merged file is byte-identical to a one-rank run's.
import { z } from 'zod';
import { ShardDatasetReader, type DatasetSource, type ShardManifest } from '../../data/index.js';
import { EvaluateMergeError } from './eval-errors.js';
import type { ImageDetections } from './eval-merge.js';

/** Where the parts of every rank go, relative to the run prefix (rank 0 removes it after the merge). */
export const partsPrefix = 'eval/parts';

/** The folder of rank `rank`'s chunks in a world of `worldSize`, relative to the run prefix. */
export function partDir(rank: number, worldSize: number): string {
  return `${partsPrefix}/rank-${rank}-of-${worldSize}`;
}

/** Where chunk `chunk` of rank `rank` of `worldSize` goes, relative to the run prefix. */
export function partName(rank: number, worldSize: number, chunk: number): string {
  return `${partDir(rank, worldSize)}/chunk-${String(chunk).padStart(5, '0')}.json`;
}

/**
 * Images in each rank's share of the val shards, indexed by rank: the sizes of the shares the ranks' readers
 * plan (data/shards planRankShare; planning reads nothing), so every rank knows them without asking.
 */
export function shareSizes(manifest: ShardManifest, source: DatasetSource, worldSize: number): number[] {
  return Array.from(
    { length: worldSize },
    (_, rank) => new ShardDatasetReader(manifest, source, { rank, worldSize }).size,
  );
}

/** One chunk of a rank's part: up to chunkImages images of its share, in the order they were inferred. */
export interface PartChunk {
  rank: number;
  worldSize: number;
  chunk: number;
  images: ImageDetections[];
}

const detectionSchema = z.object({
  image_id: z.number(),
  category_id: z.number(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  score: z.number(),
});

const partSchema = z.object({
  rank: z.int().nonnegative(),
  worldSize: z.int().positive(),
  chunk: z.int().nonnegative(),
  images: z.array(z.object({ image_id: z.int(), detections: z.array(detectionSchema) })),
});

/** The chunk's text (see the header). */
export function partJson(part: PartChunk): string {
  const lines = part.images.map((image) =>
    JSON.stringify({
      image_id: image.imageId,
      detections: image.detections.map(({ image_id, category_id, bbox, score }) => ({
        image_id,
        category_id,
        bbox,
        score,
      })),
    }),
  );
  const head = `{"rank":${part.rank},"worldSize":${part.worldSize},"chunk":${part.chunk},"images":[`;
  return `${head}\n${lines.join(',\n')}\n]}\n`;
}

/**
 * A chunk read back; `where` (its location), `rank` and `chunk` (the rank and chunk it should be) name it in
 * errors.
 */
export function parsePart(text: string, where: string, rank: number, chunk: number): PartChunk {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EvaluateMergeError(
      rank,
      `${where} is not JSON`,
      'the rank was stopped mid-write: evaluate again',
      {
        cause: error,
      },
    );
  }
  const parsed = partSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EvaluateMergeError(
      rank,
      `${where}: ${issue.path.join('.') || '$'}: ${issue.message}`,
      'this is not a part the evaluate stage wrote: clear eval/parts/ and evaluate again',
      { cause: parsed.error },
    );
  }
  const part = parsed.data;
  if (part.rank !== rank || part.chunk !== chunk) {
    throw new EvaluateMergeError(
      rank,
      `${where} holds rank ${part.rank}'s chunk ${part.chunk}`,
      'clear eval/parts/ and evaluate again',
    );
  }
  return {
    rank: part.rank,
    worldSize: part.worldSize,
    chunk: part.chunk,
    images: part.images.map((image) => ({ imageId: image.image_id, detections: image.detections })),
  };
}
