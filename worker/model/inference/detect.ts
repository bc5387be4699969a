// Inference over a batch (spec 1.2 "R-CNN test"): RoIAlign of every image's test proposals (1000 per image from
// the RPN) on P2..P5, the box head once over all of them, then post-processing image by image. No gradient.
import * as tf from '@tensorflow/tfjs';
import { roiAlign, type RoiAlignOptions } from '../roi-align.js';
import { boxCount } from '../boxes/index.js';
import type { BoxHead } from '../roi-head/index.js';
import { InferenceShapeError } from './errors.js';
import type { Detections } from './multiclass-nms.js';
import { postProcessImage, type PostProcessOptions, type TestImage } from './post-process.js';

export interface DetectOptions extends Omit<PostProcessOptions, 'classifier'> {
  roiAlign?: RoiAlignOptions;
}

/** Detections per image (original-image pixels) from the RoI levels and each image's proposals. */
export function detect(
  head: BoxHead,
  features: readonly tf.Tensor4D[],
  proposals: readonly Float32Array[],
  images: readonly TestImage[],
  options: DetectOptions = {},
): Detections[] {
  if (proposals.length !== images.length) {
    throw new InferenceShapeError('proposals', [proposals.length], `[${images.length}] (one list per image)`);
  }
  const counts = proposals.map((boxes, b) => boxCount(boxes, `proposals[${b}]`));
  const total = counts.reduce((a, b) => a + b, 0);
  const boxes = new Float32Array(4 * total);
  const batchIndices = new Int32Array(total);
  let offset = 0;
  proposals.forEach((list, b) => {
    boxes.set(list, 4 * offset);
    batchIndices.fill(b, offset, offset + (counts[b] ?? 0));
    offset += counts[b] ?? 0;
  });
  const { clsScore, bboxPred } = tf.tidy(() => {
    const outputs = head.apply(roiAlign([...features], { boxes, batchIndices }, options.roiAlign));
    return { clsScore: outputs.clsScore, bboxPred: outputs.bboxPred };
  });
  try {
    let start = 0;
    return images.map((image, b) => {
      const count = counts[b] ?? 0;
      const [scores, deltas] = tf.tidy(() => [
        tf.slice(clsScore, [start, 0], [count, -1]),
        tf.slice(bboxPred, [start, 0], [count, -1]),
      ]);
      try {
        const rois = boxes.subarray(4 * start, 4 * (start + count));
        return postProcessImage(scores, deltas, rois, image, {
          ...options,
          classifier: head.options.classifier,
        });
      } finally {
        tf.dispose([scores, deltas]);
        start += count;
      }
    });
  } finally {
    tf.dispose([clsScore, bboxPred]);
  }
}
