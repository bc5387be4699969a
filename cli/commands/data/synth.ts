import { Flags } from '@oclif/core';
import { synthDefaults, writeSynthDataset } from '../../../data/index.js';
import { BaclCommand } from '../../base-command.js';
import { runDataTask } from '../../data-task.js';

export default class DataSynth extends BaclCommand {
  static override summary =
    'Write a synthetic long-tailed dataset in LVIS v1 format (train.json, val.json, JPEGs).';
  static override description =
    'Each category is a distinct shape x colour x texture, so a tiny detector can learn it. Train image counts ' +
    'follow a long tail over LVIS frequency groups (rare: 1-10 images, common: 11-100, frequent: >100; all three ' +
    'need more than 100 train images). Images hold several objects of LVIS small/medium/large sizes, with ' +
    'neg_category_ids and not_exhaustive_category_ids as in LVIS. The same flags and seed give identical bytes. ' +
    'The directory appears only when complete.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --out ./tiny --categories 24 --train-images 240 --val-images 40 --seed 1',
    '<%= config.bin %> <%= command.id %> --out ./tiny --categories 8 --train-images 30 --val-images 10 --seed 7 --max-image-size 192',
    '<%= config.bin %> data prepare --annotations ./tiny/train.json --images ./tiny/images --out s3://bucket/bacl/datasets/tiny/train',
  ];

  static override flags = {
    out: Flags.string({ required: true, description: 'directory to create (must not exist, or be empty)' }),
    categories: Flags.integer({ required: true, min: 1, description: 'number of categories (at most 400)' }),
    'train-images': Flags.integer({ required: true, min: 1, description: 'train images' }),
    'val-images': Flags.integer({ required: true, min: 0, description: 'val images' }),
    seed: Flags.integer({ default: 0, min: 0, description: 'random seed: same seed, same bytes' }),
    'min-image-size': Flags.integer({
      default: synthDefaults.minImageSize,
      description: 'smallest image side (px)',
    }),
    'max-image-size': Flags.integer({
      default: synthDefaults.maxImageSize,
      description: 'largest image side (px)',
    }),
    'max-categories-per-image': Flags.integer({
      default: synthDefaults.maxCategoriesPerImage,
      description: 'most distinct categories in one image',
    }),
  };

  async run(): Promise<Record<string, unknown>> {
    const { flags } = await this.parse(DataSynth);
    const signal = this.interrupted;
    return runDataTask(signal, async () => {
      const written = await writeSynthDataset(
        flags.out,
        {
          categories: flags.categories,
          trainImages: flags['train-images'],
          valImages: flags['val-images'],
          seed: flags.seed,
          minImageSize: flags['min-image-size'],
          maxImageSize: flags['max-image-size'],
          maxCategoriesPerImage: flags['max-categories-per-image'],
        },
        { signal },
      );
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
