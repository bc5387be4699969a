// The test transform of one val image (spec 5; mmdet 2.8's test pipeline: MultiScaleFlipAug with one scale and
// flip=False -> Resize(keep_ratio) -> Normalize -> Pad(size_divisor)), and the way back:
//   forward:  (w, h) -> rescale_size(w, h, (long, short)) = (w', h'), scale_factor = (w'/w, h'/h);
//             pixels resized like cv2 (worker/data resize.ts); normalising and padding happen per batch
//             (collateBatch), bottom-right, so they move no box;
//   backward: a detection decoded on the network's input is clipped to [0, w'] x [0, h'] and divided by
//             scale_factor (x by w'/w, y by h'/h) inside post-processing (worker/model post-process.ts, mmdet's
//             `rescale=True`, before the NMS), which lands it in the original w x h image.
// There is no flip to undo: the test pipeline never flips (testPipeline's flipRatio is 0), and a pipeline with
// a flip or several scales (test-time augmentation, which would need mmdet's merge_aug_bboxes) is refused.
import { rescaleSize } from '../model/index.js';
import type { TestImage } from '../model/inference/index.js';
import { resizeBilinear, type AnnotatedImage, type RgbImage, type StandardPipeline } from '../data/index.js';
import { EvaluateOptionError } from './eval-errors.js';

/** What inference needs about one val image and what the batcher needs to group it. */
export interface TestTransform extends TestImage {
  /** The original size (the LVIS image's width and height). */
  original: { width: number; height: number };
  /** The network input's size after padding this image alone to the divisor (the batch key). */
  padded: { width: number; height: number };
}

/** Refuses what the stage cannot undo: several test scales or a flip (see the header). */
export function checkTestPipeline(pipeline: StandardPipeline): readonly [number, number] {
  const [scale, ...others] = pipeline.scales;
  if (scale === undefined || others.length > 0) {
    throw new EvaluateOptionError(
      'data.test_scale',
      pipeline.scales,
      'exactly one (long, short) scale: test-time augmentation is not supported',
    );
  }
  if (pipeline.flipRatio !== 0) {
    throw new EvaluateOptionError(
      'test pipeline flipRatio',
      pipeline.flipRatio,
      '0: the test transform never flips',
    );
  }
  if (!Number.isInteger(pipeline.sizeDivisor) || pipeline.sizeDivisor < 1) {
    throw new EvaluateOptionError('data.size_divisor', pipeline.sizeDivisor, 'a positive integer');
  }
  return scale;
}

const roundUp = (value: number, divisor: number) => Math.ceil(value / divisor) * divisor;

/** The forward transform of a width x height image (pure). */
export function testTransform(width: number, height: number, pipeline: StandardPipeline): TestTransform {
  const scale = checkTestPipeline(pipeline);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new EvaluateOptionError('image size', [width, height], 'positive integers');
  }
  const size = rescaleSize(width, height, scale);
  return {
    original: { width, height },
    imageShape: { width: size.width, height: size.height },
    scaleFactor: size.scaleFactor,
    padded: {
      width: roundUp(size.width, pipeline.sizeDivisor),
      height: roundUp(size.height, pipeline.sizeDivisor),
    },
  };
}

/** The image resized as the network sees it, ready for collateBatch (no boxes: inference needs none). */
export function testSample(pixels: RgbImage, transform: TestTransform): AnnotatedImage {
  return {
    image: resizeBilinear(pixels, transform.imageShape.width, transform.imageShape.height),
    boxes: new Float32Array(0),
    labels: new Int32Array(0),
  };
}
