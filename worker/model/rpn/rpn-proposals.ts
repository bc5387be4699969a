// RPN proposals (spec 1.2; mmdet 2.8 `RPNHead._get_bboxes_single`), per image:
//   1. per level, the top nms_pre anchors by sigmoid score (all of them when the level has fewer);
//   2. decode their deltas (means 0 / stds 1, dw/dh clamp) and clip to the image (img_shape, un-padded);
//   3. with min_bbox_size > 0, drop boxes narrower or lower than it (the configs use 0: nothing dropped);
//   4. NMS at iou_threshold within each level (batched_nms over level ids, nms_across_levels = False);
//   5. keep the best nms_post over all levels, in descending score order.
// Settings per stage come from an options object: BACL stages 1-2 train with 2000 / 2000, the baselines with
// 2000 / 1000, testing is 1000 / 1000; NMS 0.7 everywhere. mmdet 2.8 ignores `max_num`, so there is none here.
// Steps 1-2 run on the backend (sigmoid, topk, decode); the selected boxes are read back once for NMS, which
// runs in JS (nms.ts). No gradient reaches the proposals, as in the reference.
import * as tf from '@tensorflow/tfjs';
import {
  BoxOptionError,
  BoxShapeError,
  batchedNms,
  decodeDeltas,
  gatherBoxes,
  RPN_CODER,
} from '../boxes/index.js';
import type { DeltaCoderOptions, ImageShape } from '../boxes/index.js';
import type { RpnOutputs } from './rpn-head.js';

export interface ProposalOptions {
  /** Top-scoring anchors per level kept before NMS (mmdet `nms_pre`). */
  nmsPre: number;
  /** Proposals kept per image after NMS (mmdet `nms_post`). */
  nmsPost: number;
  /** NMS IoU threshold (mmdet `nms_thr`). */
  iouThreshold: number;
  /** Smallest width and height kept; 0 keeps everything (mmdet `min_bbox_size`). */
  minBoxSize: number;
  /** @default RPN_CODER */
  coder?: DeltaCoderOptions;
}

/** BACL stages 1 and 2 at train time (spec 1.2, gotcha 14). */
export const BACL_TRAIN_PROPOSALS: Readonly<ProposalOptions> = Object.freeze({
  nmsPre: 2000,
  nmsPost: 2000,
  iouThreshold: 0.7,
  minBoxSize: 0,
});

/** The softmax-CE baselines at train time (spec 1.5). */
export const BASELINE_TRAIN_PROPOSALS: Readonly<ProposalOptions> = Object.freeze({
  ...BACL_TRAIN_PROPOSALS,
  nmsPost: 1000,
});

/** Every config at test time. */
export const TEST_PROPOSALS: Readonly<ProposalOptions> = Object.freeze({
  ...BACL_TRAIN_PROPOSALS,
  nmsPre: 1000,
  nmsPost: 1000,
});

/** One image's proposals, best first. */
export interface Proposals {
  /** Flat xyxy, in pixels of the resized image. */
  boxes: Float32Array;
  /** Sigmoid objectness. */
  scores: Float32Array;
  /** FPN level each proposal came from (0 = finest). */
  levels: Int32Array;
}

function checkOptions(options: ProposalOptions): void {
  for (const key of ['nmsPre', 'nmsPost'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new BoxOptionError(key, options[key], 'must be a positive integer');
    }
  }
  if (!(options.minBoxSize >= 0)) throw new BoxOptionError('minBoxSize', options.minBoxSize, 'must be >= 0');
}

/** Per-level top-k of one image: scores, anchor indices within the level, and the [k, 4] deltas (kept). */
function topPerLevel(
  outputs: RpnOutputs,
  image: number,
  nmsPre: number,
): { scores: Float32Array; indices: Int32Array; sizes: number[]; deltas: tf.Tensor2D } {
  const picked = tf.tidy(() => {
    const scores: tf.Tensor1D[] = [];
    const indices: tf.Tensor1D[] = [];
    const deltas: tf.Tensor2D[] = [];
    outputs.clsScores.forEach((cls, level) => {
      const reg = outputs.bboxDeltas[level];
      const [, h, w, a] = cls.shape;
      if (reg === undefined || reg.shape[1] !== h || reg.shape[2] !== w || reg.shape[3] !== 4 * a) {
        throw new BoxShapeError(`bboxDeltas[${level}]`, reg?.shape ?? [], `[B, ${h}, ${w}, ${4 * a}]`);
      }
      const levelScores = tf.sigmoid(tf.reshape(tf.slice(cls, [image, 0, 0, 0], [1, h, w, a]), [-1]));
      const top = tf.topk(levelScores, Math.min(nmsPre, h * w * a));
      const levelDeltas = tf.reshape(tf.slice(reg, [image, 0, 0, 0], [1, h, w, 4 * a]), [-1, 4]);
      scores.push(top.values as tf.Tensor1D);
      indices.push(top.indices as tf.Tensor1D);
      deltas.push(tf.gather(levelDeltas, top.indices) as tf.Tensor2D);
    });
    return { scores: tf.concat(scores), indices: tf.concat(indices), deltas: tf.concat(deltas) };
  });
  const sizes = outputs.clsScores.map((cls) => Math.min(nmsPre, cls.shape[1] * cls.shape[2] * cls.shape[3]));
  const scores = picked.scores.dataSync() as Float32Array;
  const indices = picked.indices.dataSync() as Int32Array;
  tf.dispose([picked.scores, picked.indices]);
  return { scores, indices, sizes, deltas: picked.deltas };
}

/** Proposals for every image of the batch; `anchors[l]` is level l's flat xyxy anchor array. */
export function rpnProposals(
  outputs: RpnOutputs,
  anchors: readonly Float32Array[],
  imageShapes: readonly ImageShape[],
  options: ProposalOptions,
): Proposals[] {
  checkOptions(options);
  if (anchors.length !== outputs.clsScores.length) {
    throw new BoxShapeError('anchors', [anchors.length], `one array per level (${outputs.clsScores.length})`);
  }
  const batch = outputs.clsScores[0]?.shape[0] ?? 0;
  if (imageShapes.length !== batch) {
    throw new BoxShapeError('imageShapes', [imageShapes.length], `one per image (${batch})`);
  }
  outputs.clsScores.forEach((cls, level) => {
    const count = cls.shape[1] * cls.shape[2] * cls.shape[3];
    if (anchors[level]!.length !== 4 * count) {
      throw new BoxShapeError(
        `anchors[${level}]`,
        [anchors[level]!.length],
        `[${4 * count}] (4 per anchor of clsScores[${level}])`,
      );
    }
  });
  return imageShapes.map((imageShape, image) =>
    proposalsOfImage(outputs, anchors, imageShape, image, options),
  );
}

function proposalsOfImage(
  outputs: RpnOutputs,
  anchors: readonly Float32Array[],
  imageShape: ImageShape,
  image: number,
  options: ProposalOptions,
): Proposals {
  const top = topPerLevel(outputs, image, options.nmsPre);
  const levels = new Int32Array(top.scores.length);
  const chosenAnchors = new Float32Array(4 * top.scores.length);
  let offset = 0;
  top.sizes.forEach((size, level) => {
    levels.fill(level, offset, offset + size);
    chosenAnchors.set(gatherBoxes(anchors[level]!, top.indices.subarray(offset, offset + size)), 4 * offset);
    offset += size;
  });
  let boxes: Float32Array;
  try {
    const decoded = tf.tidy(() =>
      decodeDeltas(tf.tensor2d(chosenAnchors, [levels.length, 4]), top.deltas, {
        ...(options.coder ?? RPN_CODER),
        imageShape,
      }),
    );
    boxes = decoded.dataSync() as Float32Array;
    decoded.dispose();
  } finally {
    top.deltas.dispose();
  }

  const valid = keepLargeEnough(boxes, options.minBoxSize);
  const keptBoxes = gatherBoxes(boxes, valid);
  const keptScores = Float32Array.from(valid, (i) => top.scores[i] ?? 0);
  const keptLevels = Int32Array.from(valid, (i) => levels[i] ?? 0);
  const order = batchedNms(keptBoxes, keptScores, keptLevels, options.iouThreshold).subarray(
    0,
    options.nmsPost,
  );
  return {
    boxes: gatherBoxes(keptBoxes, order),
    scores: Float32Array.from(order, (i) => keptScores[i] ?? 0),
    levels: Int32Array.from(order, (i) => keptLevels[i] ?? 0),
  };
}

/** Indices of boxes at least `minSize` wide and high (all of them when minSize is 0, as mmdet skips it). */
function keepLargeEnough(boxes: Float32Array, minSize: number): Int32Array {
  const count = boxes.length / 4;
  const all = Int32Array.from({ length: count }, (_, i) => i);
  if (minSize <= 0) return all;
  return all.filter(
    (i) =>
      (boxes[4 * i + 2] ?? 0) - (boxes[4 * i] ?? 0) >= minSize &&
      (boxes[4 * i + 3] ?? 0) - (boxes[4 * i + 1] ?? 0) >= minSize,
  );
}
