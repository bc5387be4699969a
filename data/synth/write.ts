// Writing a planned dataset to disk: `train.json`, `val.json`, `images/<split>2017/<id>.jpg` and `synth.json`
// (the resolved options it was generated from, so ensure.ts can tell whether a cached copy fits), all built
// through the shards' atomic local directory (data/shards/local-store.ts: a sibling temp directory renamed
// into place at the end), so a reader (or a crash) never sees half a dataset. The temp directory is removed
// on any failure, abort included.
import { join } from 'node:path';
import type { LvisGroundTruth } from '../../common/index.js';
import { openAtomicDirectory, type AtomicDirectory } from '../shards/local-store.js';
import { SynthOutputExistsError } from './errors.js';
import { synthGroundTruth, synthImagePath } from './lvis-json.js';
import { planSynthDataset, type PlannedImage, type SynthPlan } from './plan.js';
import type { SynthOptions } from './options.js';
import { synthRecipe, synthRecipeFile } from './recipe.js';
import { renderJpeg } from './render.js';

export interface WriteSynthOptions {
  signal?: AbortSignal;
  /** Images encoded at once (sharp works off the main thread). @default 4 */
  concurrency?: number;
  /** Called after each image is written. */
  onImage?: (done: number, total: number) => void;
}

export interface SynthDatasetSummary {
  dir: string;
  plan: SynthPlan;
  files: { train: string; val: string; images: string; recipe: string };
  stats: {
    trainImages: number;
    valImages: number;
    /** Train + val annotations. */
    annotations: number;
    /** Categories per LVIS frequency group (over train). */
    groups: { r: number; c: number; f: number };
  };
}

async function writeImages(
  images: readonly PlannedImage[],
  out: AtomicDirectory,
  options: WriteSynthOptions,
): Promise<void> {
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async () => {
    while (next < images.length && !failed) {
      options.signal?.throwIfAborted();
      const image = images[next++]!;
      await out.write(join('images', synthImagePath(image)), await renderJpeg(image));
      options.onImage?.(++done, images.length);
    }
  };
  // Every worker must have stopped before the caller removes the temp directory, or a late write could
  // land in a directory being deleted.
  const results = await Promise.allSettled(
    Array.from({ length: options.concurrency ?? 4 }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const rejected = results.find((result) => result.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
}

/** Plans and writes a synthetic dataset into `dir` (which must not exist, or be empty). */
export async function writeSynthDataset(
  dir: string,
  synthOptions: SynthOptions,
  options: WriteSynthOptions = {},
): Promise<SynthDatasetSummary> {
  const plan = planSynthDataset(synthOptions);
  const out = await openAtomicDirectory(dir, (path) => new SynthOutputExistsError(path));
  let train: LvisGroundTruth;
  let valAnnotations: number;
  try {
    await out.makeDirectory(join('images', 'train2017'));
    await out.makeDirectory(join('images', 'val2017'));
    train = synthGroundTruth(plan, 'train');
    const val = synthGroundTruth(plan, 'val', train.annotations.length + 1);
    await out.write('train.json', JSON.stringify(train));
    await out.write('val.json', JSON.stringify(val));
    await out.write(synthRecipeFile, JSON.stringify(synthRecipe(plan.options), null, 2) + '\n');
    valAnnotations = val.annotations.length;
    await writeImages([...plan.train, ...plan.val], out, options);
    options.signal?.throwIfAborted();
    await out.publish();
  } catch (error) {
    await out.discard();
    throw error;
  }
  const groups = { r: 0, c: 0, f: 0 };
  for (const category of train.categories) groups[category.frequency] += 1;
  return {
    dir,
    plan,
    files: {
      train: join(dir, 'train.json'),
      val: join(dir, 'val.json'),
      images: join(dir, 'images'),
      recipe: join(dir, synthRecipeFile),
    },
    stats: {
      trainImages: plan.train.length,
      valImages: plan.val.length,
      annotations: train.annotations.length + valAnnotations,
      groups,
    },
  };
}
