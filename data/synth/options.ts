// The generator's options, their defaults and the one place they are checked.
import type { SynthDataConfig } from '../../common/index.js';
import { maxSynthCategories } from './catalogue.js';
import { SynthOptionsError } from './errors.js';

export interface SynthOptions {
  /** Number of categories (ids 1..n), each a distinct shape x colour x texture. */
  categories: number;
  /** Train images; the frequency groups are counted over these (r: 1-10 images, c: 11-100, f: >100). */
  trainImages: number;
  /** Val images; their categories follow the train distribution, flattened so rare ones still appear. */
  valImages: number;
  /** Everything (layout, pixels, JSON) is a function of the options and this seed. */
  seed: number;
  /** Smallest image side in pixels. @default 160 */
  minImageSize?: number;
  /** Largest image side in pixels. @default 320 */
  maxImageSize?: number;
  /** Most distinct categories in one image (instances can repeat). @default 4 */
  maxCategoriesPerImage?: number;
}

export type ResolvedSynthOptions = Required<SynthOptions>;

export const synthDefaults = { minImageSize: 160, maxImageSize: 320, maxCategoriesPerImage: 4 } as const;

/** The LVIS "large" threshold (96^2) needs room: below this side, large objects cannot be drawn. */
const smallestImageSide = 96;

function checkInteger(option: string, value: number, min: number, max: number, hint: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SynthOptionsError(option, `${value} is not an integer in [${min}, ${max}]`, hint);
  }
}

/** Applies defaults and throws a SynthOptionsError naming the first bad option. */
export function resolveSynthOptions(options: SynthOptions): ResolvedSynthOptions {
  const resolved = { ...synthDefaults, ...options };
  checkInteger(
    'categories',
    resolved.categories,
    1,
    maxSynthCategories,
    `the catalogue has ${maxSynthCategories} distinct looks`,
  );
  checkInteger('trainImages', resolved.trainImages, 1, 10_000_000, 'pass a positive number of train images');
  checkInteger('valImages', resolved.valImages, 0, 10_000_000, 'pass 0 or more val images');
  checkInteger('seed', resolved.seed, 0, 0xffff_ffff, 'a seed is an integer in [0, 2^32)');
  checkInteger('minImageSize', resolved.minImageSize, smallestImageSide, 4096, 'images are 96 to 4096 px');
  checkInteger(
    'maxImageSize',
    resolved.maxImageSize,
    resolved.minImageSize,
    4096,
    'maxImageSize must be at least minImageSize',
  );
  checkInteger('maxCategoriesPerImage', resolved.maxCategoriesPerImage, 1, 8, 'between 1 and 8 categories');
  if (resolved.categories > resolved.trainImages * resolved.maxCategoriesPerImage) {
    throw new SynthOptionsError(
      'categories',
      `${resolved.categories} categories cannot each appear in one of ${resolved.trainImages} train images`,
      'use more --train-images or fewer --categories',
    );
  }
  return resolved;
}

/** A training config's `data.synth` recipe as generator options (unset fields take synthDefaults). */
export function synthOptionsFromConfig(synth: SynthDataConfig): SynthOptions {
  return {
    categories: synth.categories,
    trainImages: synth.train_images,
    valImages: synth.val_images,
    seed: synth.seed,
    ...(synth.min_image_size === undefined ? {} : { minImageSize: synth.min_image_size }),
    ...(synth.max_image_size === undefined ? {} : { maxImageSize: synth.max_image_size }),
    ...(synth.max_categories_per_image === undefined
      ? {}
      : { maxCategoriesPerImage: synth.max_categories_per_image }),
  };
}
