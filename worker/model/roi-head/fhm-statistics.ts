// FHM's statistics pass of one stage-2 step (spec 3.3-3.4, reference `FhmRoIHead._get_feat_for_stat` and
// `FhmConvFCBBoxHead.loss`): 16 jittered copies of every GT box of every image (one uniform matrix per image
// with GTs, drawn in image order), pooled and embedded by the shared FCs under no-grad, then folded into this
// rank's per-class Gaussians. The embeddings come from detached features, so no gradient walks this path even
// if a caller left the shared FCs trainable.
import * as tf from '@tensorflow/tfjs';
import { roiAlign, type RoiAlignOptions } from '../roi-align.js';
import { detach, jitterGroundTruthBoxes, type FhmState, type ImageSize } from '../losses/index.js';
import type { BoxHead } from './box-head.js';
import { RoiHeadShapeError } from './errors.js';
import type { RoiTrainingImage } from './roi-targets.js';
import type { UniformRng } from '../../../common/index.js';

/** Jitters every image's GTs, embeds the copies without gradient and calls `fhm.observe`. Returns the row count. */
export function observeGroundTruthEmbeddings(
  head: BoxHead,
  features: readonly tf.Tensor4D[],
  images: readonly RoiTrainingImage[],
  imageSizes: readonly ImageSize[],
  fhm: FhmState,
  rng: UniformRng,
  roiAlignOptions: RoiAlignOptions = {},
): number {
  if (imageSizes.length !== images.length) {
    throw new RoiHeadShapeError('imageSizes', [imageSizes.length], `[${images.length}] (one per image)`);
  }
  const jittered = images.map((image, b) =>
    jitterGroundTruthBoxes(image.gtBoxes, image.gtLabels, imageSizes[b] as ImageSize, head.numClasses, rng),
  );
  const rows = jittered.reduce((sum, j) => sum + j.labels.length, 0);
  if (rows === 0) return 0;
  const boxes = new Float32Array(4 * rows);
  const labels = new Int32Array(rows);
  const batchIndices = new Int32Array(rows);
  let row = 0;
  jittered.forEach((j, b) => {
    boxes.set(j.boxes, 4 * row);
    labels.set(j.labels, row);
    batchIndices.fill(b, row, row + j.labels.length);
    row += j.labels.length;
  });
  tf.tidy(() => {
    const constantFeatures = features.map((map) => detach(map));
    const embeddings = detach(
      head.embed(roiAlign(constantFeatures, { boxes, batchIndices }, roiAlignOptions)),
    );
    fhm.observe(embeddings, labels);
  });
  return rows;
}
