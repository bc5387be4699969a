// How mmdet's BBoxHead.loss normalises a classification loss (spec 1.3 and 1.5): every RoI's term is scaled by
// its label weight, the terms are summed and divided by avg_factor = max(#RoIs with label weight > 0, 1).
// Shared by stage-1 BCE and the baseline softmax CE; FCBL ignores both and divides by the row count instead.
import * as tf from '@tensorflow/tfjs';
import { LossShapeError } from './errors.js';

export interface WeightedClassificationOptions {
  /** Per-RoI label weights [N] (float32). @default all ones (mmdet's pos_weight -1 and negatives give 1) */
  labelWeights?: tf.Tensor1D;
  /** λ, the loss weight. @default 1 */
  lossWeight?: number;
}

/** λ·Σ_i lw_i·perRow_i / max(#(lw > 0), 1) for per-RoI losses `perRow` [N]. */
export function averageOverRois(perRow: tf.Tensor1D, options: WeightedClassificationOptions): tf.Scalar {
  const rows = perRow.shape[0];
  const labelWeights = options.labelWeights;
  if (labelWeights !== undefined) assertLabelWeights(labelWeights, rows);
  return tf.tidy(() => {
    const weights = labelWeights ?? tf.ones<tf.Rank.R1>([rows]);
    const averageFactor = tf.maximum(tf.sum(tf.cast(tf.greater(weights, 0), 'float32')), 1);
    return tf.mul<tf.Scalar>(tf.div(tf.sum(tf.mul(perRow, weights)), averageFactor), options.lossWeight ?? 1);
  });
}

function assertLabelWeights(labelWeights: tf.Tensor, rows: number): void {
  if (labelWeights.rank !== 1 || labelWeights.shape[0] !== rows || labelWeights.dtype !== 'float32') {
    throw new LossShapeError('labelWeights', labelWeights.shape, `float32 [N] with N = ${rows}`);
  }
}
