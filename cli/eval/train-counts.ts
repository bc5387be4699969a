// The plot's x axis: per category, the number of TRAINING images holding it. LVIS writes each split's own counts
// into `image_count` (spec lvis-eval.md §1.4: counted within the file), so a val file's image_count is val
// counts; the training counts come from the train annotations: --train-gt, else a train.json beside the --gt
// file (the synthetic layout, `baclctl data synth`), else, as a labelled stand-in, the --gt file's own
// image_count (docs/adr/0032).
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  computeLvisCategoryStatistics,
  loadLvisGroundTruth,
  type LvisGroundTruth,
} from '../../common/index.js';

export interface TrainCounts {
  /** Images per category id. */
  counts: Map<number, number>;
  /** Where they come from, for the plot's axis and per-category.json. */
  source: string;
  /** True when they are the training split's (not the --gt file's image_count). */
  fromTrain: boolean;
}

/** The train file to count from: the flag, else `train.json` beside a `val.json` ground truth. */
export function trainFileFor(gtFile: string, trainGt: string | undefined): string | undefined {
  if (trainGt !== undefined) return trainGt;
  const sibling = join(dirname(gtFile), 'train.json');
  return basename(gtFile) === 'val.json' && existsSync(sibling) ? sibling : undefined;
}

/** Training images per category of `gt`, counted from `trainFile`'s annotations when there is one. */
export async function trainCounts(
  gt: LvisGroundTruth,
  gtFile: string,
  trainFile: string | undefined,
  signal?: AbortSignal,
): Promise<TrainCounts> {
  if (trainFile === undefined) {
    return {
      counts: new Map(gt.categories.map((category) => [category.id, category.image_count])),
      source: `image_count of ${gtFile} (that file's own images, not training images: pass --train-gt)`,
      fromTrain: false,
    };
  }
  const train = await loadLvisGroundTruth(trainFile, { signal });
  const stats = computeLvisCategoryStatistics(gt.categories, train.annotations);
  return {
    counts: new Map(stats.categories.map((stat) => [stat.id, stat.imageCount])),
    source: `annotations of ${trainFile}`,
    fromTrain: true,
  };
}
