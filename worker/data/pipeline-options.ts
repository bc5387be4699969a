// The training pipeline of a stage, read once from the typed config (common/training-config): stage 1
// (`representation`) uses `data.representation_pipeline` when the config has one (large-scale jitter, crop,
// Copy-Paste; spec 1.3), every other case the standard multi-scale pipeline (spec 1.4, 1.5), test the single
// test scale (spec 5). Nothing below reads a size or a probability from anywhere else.
import type { DataConfig, TrainingStageName } from '../../common/index.js';
import type { CopyPasteOptions } from './copy-paste.js';

export interface RepresentationPipeline {
  kind: 'representation';
  /** Long side before the jitter (1280). */
  imgScale: number;
  /** r ~ U(lo, hi); the scale is floor(imgScale x r). */
  ratioRange: readonly [number, number];
  /** Crop and canvas side (1280). */
  cropSize: number;
  /** Boxes recomputed from the cropped masks need width and height above this (FilterAnnotations). */
  minBoxSize: number;
  flipRatio: number;
  copyPaste: CopyPasteOptions;
  /** Pad the batch to a multiple of this (the canvas already is one for 1280). */
  sizeDivisor: number;
}

export interface StandardPipeline {
  kind: 'standard';
  /** (long, short) pairs; one is drawn per image (mmdet multiscale_mode 'value'). */
  scales: ReadonlyArray<readonly [number, number]>;
  flipRatio: number;
  sizeDivisor: number;
}

export type TrainPipeline = RepresentationPipeline | StandardPipeline;

export interface FilterOptions {
  /** Images with a shorter side are not trained on. */
  minImageSide: number;
}

export function trainPipeline(data: DataConfig, stage: TrainingStageName): TrainPipeline {
  const jitter = data.representation_pipeline;
  if (stage === 'representation' && jitter !== undefined) {
    return {
      kind: 'representation',
      imgScale: jitter.img_scale,
      ratioRange: jitter.ratio_range,
      cropSize: jitter.crop_size,
      minBoxSize: jitter.min_gt_bbox_wh,
      flipRatio: data.flip_ratio,
      copyPaste: {
        maxPasted: jitter.copy_paste_max,
        bboxOccludedThr: jitter.copy_paste_bbox_occluded_thr,
        maskOccludedThr: jitter.copy_paste_mask_occluded_thr,
      },
      sizeDivisor: data.size_divisor,
    };
  }
  return {
    kind: 'standard',
    scales: data.train_scales,
    flipRatio: data.flip_ratio,
    sizeDivisor: data.size_divisor,
  };
}

export function filterOptions(data: DataConfig): FilterOptions {
  return { minImageSide: data.min_image_side };
}

/** The test pipeline: one (long, short) scale, no flip, pad to the divisor. */
export function testPipeline(data: DataConfig): StandardPipeline {
  return { kind: 'standard', scales: [data.test_scale], flipRatio: 0, sizeDivisor: data.size_divisor };
}
