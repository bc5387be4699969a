// The data part of the training config: which dataset, where its annotations and images are, how images are
// scaled (spec 1.3 stage-1 crop jitter, 1.4 multi-scale, 5 test scale) and the images per GPU.
import { z } from 'zod';

const positiveInt = z.number().int().positive();

const splitSchema = z.object({
  ann_file: z.string().min(1).describe('LVIS-format JSON, relative to data_root'),
  img_prefix: z.string().default('').describe('image directory, relative to data_root'),
});

/** Stage 1's load + mix pipeline (spec 1.3): large-scale jitter with a fixed crop, then Copy-Paste. */
export const representationPipelineSchema = z
  .object({
    img_scale: positiveInt.default(1280).describe('target long side before the ratio jitter'),
    ratio_range: z
      .tuple([z.number().positive(), z.number().positive()])
      .default([0.8, 1.25])
      .describe('r ~ U(lo, hi); the long side becomes floor(img_scale x r)'),
    crop_size: positiveInt.default(1280).describe('random crop (absolute_range) and fixed pad canvas'),
    copy_paste_max: z.number().int().min(0).default(100).describe('CopyPaste max_num_pasted; 0 disables'),
    copy_paste_bbox_occluded_thr: z
      .number()
      .nonnegative()
      .default(10)
      .describe('CopyPaste bbox_occluded_thr: px a box side may move before the object counts as occluded'),
    copy_paste_mask_occluded_thr: z
      .number()
      .nonnegative()
      .default(300)
      .describe('CopyPaste mask_occluded_thr: an occluded object is kept if more pixels than this remain'),
    min_gt_bbox_wh: z
      .number()
      .nonnegative()
      .default(0.01)
      .describe('FilterAnnotations after the crop: boxes need width and height above this (px)'),
  })
  .describe('stage 1 only; stage 2 and the baseline use train_scales (spec 1.4, 1.5)');

/**
 * The generator's recipe for a `dataset: synth` config (data/synth, ADR 0010, 0024): the one definition that
 * `baclctl data synth --config` and `baclctl run` both synthesise from when `data_root` lacks the dataset.
 * Unset optional fields take the generator's defaults (data/synth/options.ts), which also checks the ranges.
 */
export const synthDataSchema = z
  .object({
    categories: positiveInt.describe('categories (ids 1..n); must equal model.roi_head.num_classes'),
    train_images: positiveInt.describe(
      'LVIS frequency groups are counted over these (r 1-10, c 11-100, f >100)',
    ),
    val_images: z.number().int().min(0).describe('val images; every group should appear for APr/APc/APf'),
    seed: z.number().int().min(0).default(0).describe('same options and seed: identical bytes'),
    min_image_size: positiveInt.optional().describe('smallest image side (px); generator default 160'),
    max_image_size: positiveInt.optional().describe('largest image side (px); generator default 320'),
    max_categories_per_image: positiveInt.optional().describe('most categories in one image; default 4'),
  })
  .strict()
  .describe('how the synthetic dataset under data_root is generated');

export type SynthDataConfig = z.output<typeof synthDataSchema>;

export const dataSchema = z
  .object({
    dataset: z
      .enum(['lvis_v1', 'lvis_v0.5', 'synth'])
      .describe("'synth' is a generated subset (baclctl data synth, ADR 0010)"),
    data_root: z.string().default('data/').describe('where ann_file and img_prefix are looked up'),
    synth: synthDataSchema
      .optional()
      .describe("required for dataset 'synth' (and only there): the recipe of the dataset at data_root"),
    train: splitSchema,
    val: splitSchema,
    train_scales: z
      .array(z.tuple([positiveInt, positiveInt]))
      .min(1)
      .describe('(long, short) sides, one drawn per image, keep ratio (spec 1.4: short 640..800, long 1333)'),
    test_scale: z
      .tuple([positiveInt, positiveInt])
      .default([1333, 800])
      .describe('(long, short) single test scale (spec 5)'),
    size_divisor: positiveInt.default(32).describe('pad to a multiple of this'),
    flip_ratio: z.number().min(0).max(1).default(0.5),
    representation_pipeline: representationPipelineSchema
      .optional()
      .describe('absent: stage 1 uses train_scales too (e.g. the tiny config)'),
    min_image_side: positiveInt
      .default(32)
      .describe('training images with a shorter side (px) are dropped (mmdet _filter_imgs min_size)'),
    samples_per_gpu: positiveInt.default(2).describe('images per rank per step (spec 1.3: 2 x 8 GPUs)'),
  })
  .describe('dataset and input pipeline');

export type DataConfig = z.output<typeof dataSchema>;
