// The RPN loss (spec 1.2; mmdet 2.8 `AnchorHead.loss` with `CrossEntropyLoss(use_sigmoid=True)` and
// `L1Loss`, both weight 1): over the dense per-anchor targets of rpn-targets.ts,
//   cls  = Σ label_weight · BCE(logit, label) / avg_factor
//   bbox = Σ bbox_weight · |delta − target| / avg_factor
// mmdet sums per-level losses that share one avg_factor, which is the same as one sum over all levels.
// Dense masks instead of gathering the sampled anchors keep the gradient to element-wise ops, concat and
// reshape: tf.gather's gradient is O(rows × segments) on cpu and missing on stock wasm (tfjs-notes §4.1).
import * as tf from '@tensorflow/tfjs';
import { BoxShapeError } from '../boxes/index.js';
import { absWithSignGradient, bceWithLogits } from '../losses/index.js';
import type { RpnOutputs } from './rpn-head.js';
import type { RpnTargets } from './rpn-targets.js';

export interface RpnLosses {
  cls: tf.Scalar;
  bbox: tf.Scalar;
}

/** Per-level maps [B, H, W, C·k] flattened to [B, Σ H·W·C·k] in (level, y, x, channel) order. */
export function flattenLevels(maps: readonly tf.Tensor4D[], input: string): tf.Tensor2D {
  const batch = maps[0]?.shape[0];
  maps.forEach((map, level) => {
    if (map.rank !== 4 || map.shape[0] !== batch) {
      throw new BoxShapeError(
        `${input}[${level}]`,
        map.shape,
        `[B, H, W, C] with B = ${batch} on every level`,
      );
    }
  });
  return tf.tidy(() =>
    tf.concat(
      maps.map((map) => tf.reshape<tf.Rank.R2>(map, [map.shape[0], -1])),
      1,
    ),
  );
}

/** The classification and regression losses of the RPN for one batch. */
export function rpnLoss(outputs: RpnOutputs, targets: RpnTargets): RpnLosses {
  return tf.tidy(() => {
    const logits = flattenLevels(outputs.clsScores, 'clsScores');
    const deltas = flattenLevels(outputs.bboxDeltas, 'bboxDeltas');
    const [batch, anchors] = logits.shape;
    const expectedRows = targets.labels.length / targets.anchorCount;
    if (anchors !== targets.anchorCount || batch !== expectedRows) {
      throw new BoxShapeError(
        'clsScores',
        logits.shape,
        `[${expectedRows}, ${targets.anchorCount}] flattened (the targets' images and anchors)`,
      );
    }
    if (deltas.shape[1] !== 4 * anchors) {
      throw new BoxShapeError(
        'bboxDeltas',
        deltas.shape,
        `[${batch}, ${4 * anchors}] flattened (4 deltas per anchor)`,
      );
    }
    const avgFactor = Math.max(targets.avgFactor, 1);
    const labels = tf.tensor2d(targets.labels, [batch, anchors]);
    const labelWeights = tf.tensor2d(targets.labelWeights, [batch, anchors]);
    const cls = tf.div(tf.sum(tf.mul(bceWithLogits(logits, labels), labelWeights)), avgFactor);
    const bboxTargets = tf.tensor2d(targets.bboxTargets, [batch, 4 * anchors]);
    const bboxWeights = tf.tensor2d(targets.bboxWeights, [batch, 4 * anchors]);
    const bbox = tf.div(
      tf.sum(tf.mul(absWithSignGradient(tf.sub(deltas, bboxTargets)), bboxWeights)),
      avgFactor,
    );
    return { cls: cls as tf.Scalar, bbox: bbox as tf.Scalar };
  });
}
