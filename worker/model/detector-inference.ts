// Inference (spec 1.2 "R-CNN test", 5): features, the RPN's test proposals (1000 / 1000 / 0.7 in the
// configs), the box head over them and mmdet's post-processing to detections in original-image pixels, then
// LVIS results rows. No gradient; every tensor is freed before returning.
import * as tf from '@tensorflow/tfjs';
import type { LvisDetection } from '../../common/index.js';
import { roiAlignOptions, testNmsOptions, testProposalOptions } from './detector-options.js';
import type { Detector } from './detector.js';
import type { PreparedBatch } from './detector-input.js';
import { detect, toLvisDetections, type Detections } from './inference/index.js';
import { disposeRpnOutputs, rpnProposals } from './rpn/index.js';

/** Detections per image of a prepared batch, boxes in original-image pixels. */
export function detectBatch(detector: Detector, batch: PreparedBatch): Detections[] {
  const model = detector.config.model;
  const features = detector.features(batch.images);
  try {
    const outputs = detector.rpn.apply(features);
    let proposals;
    try {
      proposals = rpnProposals(
        outputs,
        detector.anchorsFor(features).levels,
        batch.imageSizes,
        testProposalOptions(model),
      );
    } finally {
      disposeRpnOutputs(outputs);
    }
    return detect(
      detector.head,
      features.slice(0, 4),
      proposals.map((p) => p.boxes),
      batch.testImages,
      { ...testNmsOptions(model), roiAlign: roiAlignOptions(model) },
    );
  } finally {
    tf.dispose(features);
  }
}

/**
 * LVIS results rows of a batch: `imageIds[b]` is image b's LVIS id, `categoryIds[c]` the LVIS id of class c.
 */
export function detectLvis(
  detector: Detector,
  batch: PreparedBatch,
  imageIds: readonly number[],
  categoryIds: ArrayLike<number>,
): LvisDetection[] {
  const detections = detectBatch(detector, batch);
  return detections.flatMap((d, b) => toLvisDetections(d, imageIds[b] ?? Number.NaN, categoryIds));
}
