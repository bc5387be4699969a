// The cached synthetic dataset of a config (`baclctl run` on a synth config, `baclctl data synth --config`):
// reuse the directory when its synth.json records the same resolved options, generate it when the directory
// is absent or empty, and refuse anything else (a different recipe, or a directory that is not a synthetic
// dataset) with an error naming the directory. Generation is atomic (write.ts), so a directory holding
// synth.json is complete.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SynthDatasetMismatchError } from './errors.js';
import { resolveSynthOptions, type SynthOptions } from './options.js';
import { recipeDifferences, synthRecipeFile, type SynthRecipe } from './recipe.js';
import { writeSynthDataset, type WriteSynthOptions } from './write.js';

export interface EnsuredSynthDataset {
  dir: string;
  files: { train: string; val: string; images: string; recipe: string };
  /** False when an existing copy was reused. */
  created: boolean;
}

async function readRecipe(path: string): Promise<SynthRecipe | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const recipe = JSON.parse(text) as Partial<SynthRecipe>;
    return recipe.format === 'bacl-synth' && typeof recipe.options === 'object'
      ? (recipe as SynthRecipe)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `dir` holding the dataset `options` describe: reused if it already does, generated if absent or empty. */
export async function ensureSynthDataset(
  dir: string,
  options: SynthOptions,
  writeOptions: WriteSynthOptions = {},
): Promise<EnsuredSynthDataset> {
  const wanted = resolveSynthOptions(options);
  const files = {
    train: join(dir, 'train.json'),
    val: join(dir, 'val.json'),
    images: join(dir, 'images'),
    recipe: join(dir, synthRecipeFile),
  };
  const existing = await readRecipe(files.recipe);
  if (existing !== undefined) {
    const differences = recipeDifferences(wanted, existing.options);
    if (differences.length > 0) throw new SynthDatasetMismatchError(dir, differences);
    return { dir, files, created: false };
  }
  // Absent or empty: generated; anything else: writeSynthDataset's SynthOutputExistsError.
  await writeSynthDataset(dir, wanted, writeOptions);
  return { dir, files, created: true };
}
