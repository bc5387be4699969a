// mmdet 2.8's `DeltaXYWHBBoxCoder` (spec 1.2: the RPN uses means 0 / stds 1, the RoI head stds 0.1/0.1/0.2/0.2)
// as tfjs ops, so `decodeDeltas` is differentiable in the deltas. The losses regress encoded targets
// (reg_decoded_bbox is off), so no gradient needs to flow through `encodeDeltas`; it is tfjs anyway so both
// directions share one convention:
//   px = (x1 + x2)/2, pw = x2 − x1 (no +1: mmdet 2.x), dx = (gx − px)/pw, dw = ln(gw/pw); d' = (d − mean)/std.
// Decoding clamps dw, dh to ±|ln(wh_ratio_clip)| (16/1000 → ±4.135) and clips to [0, W] × [0, H] of the
// resized, un-padded image (mmdet 2.x clamps to max_shape itself, not max_shape − 1).
// Columns are split with tf.split, never stridedSlice (no gradient in tfjs 4.22, tfjs-notes §2).
import * as tf from '@tensorflow/tfjs';
import { BoxOptionError, BoxShapeError } from './errors.js';

export interface DeltaCoderOptions {
  /** Means subtracted from the raw deltas (dx, dy, dw, dh). @default [0, 0, 0, 0] */
  means?: readonly [number, number, number, number];
  /** Stds the deltas are divided by. @default [1, 1, 1, 1] (RPN); the RoI head uses [0.1, 0.1, 0.2, 0.2] */
  stds?: readonly [number, number, number, number];
  /** Largest allowed width/height change factor is 1 / whRatioClip. @default 16 / 1000 */
  whRatioClip?: number;
}

export const RPN_CODER: Readonly<Required<DeltaCoderOptions>> = Object.freeze({
  means: [0, 0, 0, 0] as const,
  stds: [1, 1, 1, 1] as const,
  whRatioClip: 16 / 1000,
});

export const ROI_CODER: Readonly<Required<DeltaCoderOptions>> = Object.freeze({
  ...RPN_CODER,
  stds: [0.1, 0.1, 0.2, 0.2] as const,
});

/** Height and width of the resized image before padding, in pixels (mmdet `img_shape`). */
export interface ImageShape {
  height: number;
  width: number;
}

function checkBoxes(tensor: tf.Tensor, input: string, rows?: number): void {
  if (tensor.rank !== 2 || tensor.shape[1] !== 4 || (rows !== undefined && tensor.shape[0] !== rows)) {
    throw new BoxShapeError(input, tensor.shape, rows === undefined ? '[N, 4] xyxy' : `[${rows}, 4] xyxy`);
  }
}

/** Centre and size columns ([N, 1] each) of xyxy boxes. */
function centreSize(boxes: tf.Tensor2D): { cx: tf.Tensor; cy: tf.Tensor; w: tf.Tensor; h: tf.Tensor } {
  const [x1, y1, x2, y2] = tf.split(boxes, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  return {
    cx: tf.mul(tf.add(x1, x2), 0.5),
    cy: tf.mul(tf.add(y1, y2), 0.5),
    w: tf.sub(x2, x1),
    h: tf.sub(y2, y1),
  };
}

/** Regression targets [N, 4] that map `proposals` [N, 4] onto `gtBoxes` [N, 4] (mmdet `bbox2delta`). */
export function encodeDeltas(
  proposals: tf.Tensor2D,
  gtBoxes: tf.Tensor2D,
  options: DeltaCoderOptions = {},
): tf.Tensor2D {
  const { means, stds } = { ...RPN_CODER, ...options };
  checkBoxes(proposals, 'proposals');
  checkBoxes(gtBoxes, 'gtBoxes', proposals.shape[0]);
  return tf.tidy(() => {
    const p = centreSize(proposals);
    const g = centreSize(gtBoxes);
    const deltas = tf.concat(
      [
        tf.div(tf.sub(g.cx, p.cx), p.w),
        tf.div(tf.sub(g.cy, p.cy), p.h),
        tf.log(tf.div(g.w, p.w)),
        tf.log(tf.div(g.h, p.h)),
      ],
      1,
    );
    return tf.div(tf.sub(deltas, tf.tensor1d([...means])), tf.tensor1d([...stds]));
  });
}

/**
 * `encodeDeltas` on flat xyxy rows, for target building: `boxes` and `gtRows` hold the same number of boxes,
 * row i of the result maps box i onto GT row i. No tensor outlives the call.
 */
export function encodeDeltaRows(
  boxes: Float32Array,
  gtRows: Float32Array,
  options: DeltaCoderOptions = {},
): Float32Array {
  const rows = boxes.length / 4;
  if (rows === 0) return new Float32Array(0);
  const encoded = tf.tidy(() =>
    encodeDeltas(tf.tensor2d(boxes, [rows, 4]), tf.tensor2d(gtRows, [rows, 4]), options),
  );
  const values = Float32Array.from(encoded.dataSync());
  encoded.dispose();
  return values;
}

/**
 * Boxes from `deltas` [N, 4k] applied to `rois` [N, 4] (mmdet `delta2bbox`); k > 1 for class-specific
 * regression, where column group c holds class c's deltas. Clipped to `imageShape` when given.
 */
export function decodeDeltas(
  rois: tf.Tensor2D,
  deltas: tf.Tensor2D,
  options: DeltaCoderOptions & { imageShape?: ImageShape } = {},
): tf.Tensor2D {
  const { means, stds, whRatioClip, imageShape } = { ...RPN_CODER, ...options };
  checkBoxes(rois, 'rois');
  const [rows, columns] = deltas.shape;
  if (deltas.rank !== 2 || rows !== rois.shape[0] || columns % 4 !== 0 || columns === 0) {
    throw new BoxShapeError('deltas', deltas.shape, `[${rois.shape[0]}, 4k] (k delta groups per roi)`);
  }
  if (!(whRatioClip > 0 && whRatioClip <= 1)) {
    throw new BoxOptionError('whRatioClip', whRatioClip, 'must be in (0, 1]');
  }
  const groups = columns / 4;
  const maxRatio = Math.abs(Math.log(whRatioClip));
  return tf.tidy(() => {
    const grouped = tf.reshape(deltas, [rows, groups, 4]);
    const denormalised = tf.add(tf.mul(grouped, tf.tensor1d([...stds])), tf.tensor1d([...means]));
    const [dx, dy, dw, dh] = tf.split(denormalised, 4, 2).map((t) => tf.reshape(t, [rows, groups])) as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor2D,
    ];
    const p = centreSize(rois);
    const gw = tf.mul(p.w, tf.exp(tf.clipByValue(dw, -maxRatio, maxRatio)));
    const gh = tf.mul(p.h, tf.exp(tf.clipByValue(dh, -maxRatio, maxRatio)));
    const gx = tf.add(p.cx, tf.mul(p.w, dx));
    const gy = tf.add(p.cy, tf.mul(p.h, dy));
    const halfW = tf.mul(gw, 0.5);
    const halfH = tf.mul(gh, 0.5);
    let corners = [tf.sub(gx, halfW), tf.sub(gy, halfH), tf.add(gx, halfW), tf.add(gy, halfH)];
    if (imageShape !== undefined) {
      const limits = [imageShape.width, imageShape.height, imageShape.width, imageShape.height];
      corners = corners.map((c, i) => tf.clipByValue(c, 0, limits[i] ?? 0));
    }
    return tf.reshape(tf.stack(corners, 2), [rows, columns]);
  });
}
