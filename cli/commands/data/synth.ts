import { Flags } from '@oclif/core';
import { loadTrainingConfig } from '../../../common/index.js';
import {
  synthDefaults,
  synthOptionsFromConfig,
  writeSynthDataset,
  type SynthOptions,
} from '../../../data/index.js';
import { BaclCommand } from '../../base-command.js';
import { runDataTask } from '../../data-task.js';
import { cliError } from '../../errors.js';

/** The flags that describe the dataset; --config replaces them all with the config's data.synth. */
const recipeFlags = [
  'categories',
  'train-images',
  'val-images',
  'seed',
  'min-image-size',
  'max-image-size',
  'max-categories-per-image',
] as const;

export default class DataSynth extends BaclCommand {
  static override summary =
    'Write a synthetic long-tailed dataset in LVIS v1 format (train.json, val.json, JPEGs).';
  static override description =
    'Each category is a distinct shape x colour x texture, so a tiny detector can learn it. Train image counts ' +
    'follow a long tail over LVIS frequency groups (rare: 1-10 images, common: 11-100, frequent: >100; all three ' +
    'need more than 100 train images). Images hold several objects of LVIS small/medium/large sizes, with ' +
    'neg_category_ids and not_exhaustive_category_ids as in LVIS. The same flags and seed give identical bytes. ' +
    '--config writes the dataset a synth config names (its data.synth, e.g. tiny or small), as `baclctl run` ' +
    'does. The directory appears only when complete.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --out ./tiny --config tiny',
    '<%= config.bin %> <%= command.id %> --out ./tiny --categories 24 --train-images 240 --val-images 40 --seed 1',
    '<%= config.bin %> <%= command.id %> --out ./tiny --categories 8 --train-images 30 --val-images 10 --seed 7 --max-image-size 192',
    '<%= config.bin %> data prepare --annotations ./tiny/train.json --images ./tiny/images --out s3://bucket/bacl/datasets/tiny/train',
  ];

  static override flags = {
    out: Flags.string({ required: true, description: 'directory to create (must not exist, or be empty)' }),
    config: Flags.string({
      description: 'a synth config (name or .yaml path): write the dataset its data.synth describes',
    }),
    set: Flags.string({
      multiple: true,
      dependsOn: ['config'],
      description: 'override a field of --config: path.to.field=value; repeatable',
    }),
    categories: Flags.integer({
      min: 1,
      description: 'number of categories (at most 400); needed without --config',
    }),
    'train-images': Flags.integer({ min: 1, description: 'train images; needed without --config' }),
    'val-images': Flags.integer({ min: 0, description: 'val images; needed without --config' }),
    seed: Flags.integer({ min: 0, description: 'random seed: same seed, same bytes [default: 0]' }),
    'min-image-size': Flags.integer({
      description: `smallest image side (px) [default: ${synthDefaults.minImageSize}]`,
    }),
    'max-image-size': Flags.integer({
      description: `largest image side (px) [default: ${synthDefaults.maxImageSize}]`,
    }),
    'max-categories-per-image': Flags.integer({
      description: `most distinct categories in one image [default: ${synthDefaults.maxCategoriesPerImage}]`,
    }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(DataSynth);
    const options = synthOptions(flags);
    const signal = this.interrupted;
    return runDataTask(signal, async () => {
      const written = await writeSynthDataset(flags.out, options, { signal });
      const summary = { dir: written.dir, ...written.stats };
      const groups = written.stats.groups;
      this.log(
        `Wrote ${written.dir}: ${summary.trainImages} train and ${summary.valImages} val images, ` +
          `${summary.annotations} annotations, categories r/c/f ${groups.r}/${groups.c}/${groups.f}.`,
      );
      return summary;
    });
  }
}

type RecipeFlags = { [key in (typeof recipeFlags)[number]]?: number | undefined } & {
  config?: string | undefined;
  set?: string[] | undefined;
};

/** The generator's options: the config's data.synth, or the flags (unset ones take synthDefaults). */
function synthOptions(flags: RecipeFlags): SynthOptions {
  if (flags.config !== undefined) {
    const given = recipeFlags.filter((name) => flags[name] !== undefined).map((name) => `--${name}`);
    if (given.length > 0) {
      throw cliError(`${given.join(', ')} cannot be combined with --config, which fixes the whole recipe`, {
        code: 'USAGE',
        tryThis: 'drop those flags, or change the config with --set data.synth.<field>=<value>',
      });
    }
    const { config } = loadTrainingConfig(flags.config, { sets: flags.set ?? [] });
    if (config.data.synth === undefined) {
      throw cliError(`config ${flags.config} has no data.synth (its dataset is ${config.data.dataset})`, {
        code: 'USAGE',
        tryThis: 'name a synth config (tiny, small), or pass --categories, --train-images and --val-images',
      });
    }
    return synthOptionsFromConfig(config.data.synth);
  }
  const missing = (['categories', 'train-images', 'val-images'] as const).filter(
    (name) => flags[name] === undefined,
  );
  if (missing.length > 0) {
    throw cliError(`missing ${missing.map((name) => `--${name}`).join(', ')}`, {
      code: 'USAGE',
      tryThis: 'pass --categories, --train-images and --val-images, or --config <synth config>',
    });
  }
  const sizes = {
    minImageSize: flags['min-image-size'],
    maxImageSize: flags['max-image-size'],
    maxCategoriesPerImage: flags['max-categories-per-image'],
  };
  return {
    categories: flags.categories!,
    trainImages: flags['train-images']!,
    valImages: flags['val-images']!,
    seed: flags.seed ?? 0,
    // Unset sizes are left out, so resolveSynthOptions applies synthDefaults to them.
    ...Object.fromEntries(Object.entries(sizes).filter(([, value]) => value !== undefined)),
  };
}
