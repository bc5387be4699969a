// `synth.json`: the resolved options a synthetic dataset was generated from, written beside train.json. The
// dataset is a pure function of them (ADR 0010), so equal recipes mean identical bytes and a cached copy can be
// reused; a different recipe means a different dataset.
import type { ResolvedSynthOptions } from './options.js';

export const synthRecipeFile = 'synth.json';

export interface SynthRecipe {
  format: 'bacl-synth';
  version: 1;
  options: ResolvedSynthOptions;
}

/** The recipe of a dataset generated from `options`, keys in a fixed order. */
export function synthRecipe(options: ResolvedSynthOptions): SynthRecipe {
  return {
    format: 'bacl-synth',
    version: 1,
    options: {
      categories: options.categories,
      trainImages: options.trainImages,
      valImages: options.valImages,
      seed: options.seed,
      minImageSize: options.minImageSize,
      maxImageSize: options.maxImageSize,
      maxCategoriesPerImage: options.maxCategoriesPerImage,
    },
  };
}

/** The options where two recipes differ (empty: the same dataset). */
export function recipeDifferences(a: ResolvedSynthOptions, b: ResolvedSynthOptions): string[] {
  return (Object.keys(a) as Array<keyof ResolvedSynthOptions>).filter((key) => a[key] !== b[key]);
}
