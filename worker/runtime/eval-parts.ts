// A rank's detections on their way to the merge when the stage runs on several ranks: each rank writes its
// part under the run prefix, `eval/parts/rank-<r>-of-<n>.json`, and rank 0 reads them all back once every
// rank is done (issue #14 point 1: "streamed to the run prefix per rank and merged"). One image per line:
//   {"rank":0,"worldSize":2,"images":[
//   {"image_id":1,"detections":[{"image_id":1,"category_id":3,"bbox":[x,y,w,h],"score":0.5},...]},
//   ...]}
// Numbers are printed as the results file prints them (eval-merge.ts), so a part read back holds the same
// doubles and the merged file is byte-identical to a one-rank run's.
import { z } from 'zod';
import { EvaluateMergeError } from './eval-errors.js';
import type { RankDetections } from './eval-merge.js';

/** Where rank `rank` of `worldSize` leaves its part, relative to the run prefix. */
export function partName(rank: number, worldSize: number): string {
  return `eval/parts/rank-${rank}-of-${worldSize}.json`;
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
  images: z.array(z.object({ image_id: z.int(), detections: z.array(detectionSchema) })),
});

/** The part's text (see the header). */
export function partJson(part: RankDetections): string {
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
  return `{"rank":${part.rank},"worldSize":${part.worldSize},"images":[\n${lines.join(',\n')}\n]}\n`;
}

/** A part read back; `where` (its location) and `rank` (the rank it should be from) name it in errors. */
export function parsePart(text: string, where: string, rank: number): RankDetections {
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
  if (part.rank !== rank) {
    throw new EvaluateMergeError(
      rank,
      `${where} holds rank ${part.rank}'s part`,
      'clear eval/parts/ and evaluate again',
    );
  }
  return {
    rank: part.rank,
    worldSize: part.worldSize,
    images: part.images.map((image) => ({ imageId: image.image_id, detections: image.detections })),
  };
}
