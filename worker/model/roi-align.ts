// Multi-level RoIAlign (mmdet SingleRoIExtractor + mmcv RoIAlign, aligned=True, adaptive sampling), differentiable
// into the FPN feature maps. tfjs has no RoIAlign, and its cropAndResize has no gradient (tfjs-notes §2-§3), so
// this is a tf.customGrad over a sparse bilinear table (roi-align-table.ts), applied by worker/tf's
// sparseRowCombine (one JS pass on cpu and wasm; gather + mul + scatterND elsewhere):
//   forward:  out[cell]   += weight_e * feature[featRow_e]   for each table entry e
//   backward: dFeature[p] += weight_e * dOut[outRow_e]
// Boxes are constants (no gradient to the proposals), as in Faster R-CNN.
import * as tf from '@tensorflow/tfjs';
import { type SparseRows, sparseRowCombine } from '../tf/index.js';
import { RoiAlignError } from './roi-align-error.js';
import { buildRoiAlignTable, type RoiAlignGeometry, type RoiAlignTable } from './roi-align-table.js';
import { roiLevels } from './roi-levels.js';

/** RoIs in mmdet's layout, as plain arrays (proposals are chosen in JS). */
export interface Rois {
  /** x1, y1, x2, y2 per RoI in input-image pixels; length 4 * count. */
  boxes: ArrayLike<number>;
  /** The batch image each RoI belongs to; length count. */
  batchIndices: ArrayLike<number>;
}

export interface RoiAlignOptions {
  /** Output bins per side. @default 7 */
  outputSize?: number;
  /** Samples per bin and axis; 0 = adaptive, ceil(RoI size in feature pixels / outputSize). @default 0 */
  samplingRatio?: number;
  /** mmcv aligned=True: half-pixel offset, no minimum RoI size. @default true */
  aligned?: boolean;
  /** Stride of each feature map passed in, finest first (P2-P5). @default [4, 8, 16, 32] */
  featmapStrides?: number[];
  /** Level mapping scale (roi-levels.ts). @default 56 */
  finestScale?: number;
}

interface LevelPlan {
  level: number;
  table: RoiAlignTable;
}

function checkFeatures(features: tf.Tensor4D[], strides: number[]): number {
  if (features.length === 0 || features.length !== strides.length) {
    throw new RoiAlignError(`got ${features.length} feature maps for ${strides.length} strides`);
  }
  const [first] = features as [tf.Tensor4D];
  for (const map of features) {
    if (map.rank !== 4 || map.shape[0] !== first.shape[0] || map.shape[3] !== first.shape[3]) {
      throw new RoiAlignError(
        `feature maps must be [batch, h, w, channels] alike; got ${map.shape.join('x')}`,
      );
    }
  }
  return first.shape[3];
}

/** One table per level that has RoIs. */
function planLevels(features: tf.Tensor4D[], rois: Rois, options: Required<RoiAlignOptions>): LevelPlan[] {
  const geometry: RoiAlignGeometry = options;
  const levels = roiLevels(rois.boxes, { numLevels: features.length, finestScale: options.finestScale });
  return features.flatMap((map, level) => {
    const roiIds: number[] = [];
    levels.forEach((l, roi) => {
      if (l === level) roiIds.push(roi);
    });
    if (roiIds.length === 0) return [];
    const [batch, height, width] = map.shape;
    const spatialScale = 1 / (options.featmapStrides[level] ?? 1);
    const levelMap = { batch, height, width, spatialScale };
    return [{ level, table: buildRoiAlignTable(rois.boxes, rois.batchIndices, roiIds, levelMap, geometry) }];
  });
}

function tableTensors({ table }: LevelPlan): tf.Tensor[] {
  return [
    tf.tensor1d(table.outRows, 'int32'),
    tf.tensor1d(table.featRows, 'int32'),
    tf.tensor1d(table.weights),
  ];
}

/** Level k's table (saved as three tensors) read from feature pixels into output cells, or the reverse. */
function levelEntries(saved: tf.Tensor[], k: number, direction: 'forward' | 'backward'): SparseRows {
  const [outRows, featRows, weights] = saved.slice(3 * k, 3 * k + 3) as [
    tf.Tensor1D,
    tf.Tensor1D,
    tf.Tensor1D,
  ];
  return direction === 'forward'
    ? { fromRows: featRows, toRows: outRows, weights }
    : { fromRows: outRows, toRows: featRows, weights };
}

/**
 * Pools each RoI to [outputSize, outputSize, channels] from the FPN level its size maps to; returns
 * [numRois, outputSize, outputSize, channels] in RoI order. Gradients flow into `features` (all levels).
 */
export function roiAlign(features: tf.Tensor4D[], rois: Rois, options: RoiAlignOptions = {}): tf.Tensor4D {
  const resolved: Required<RoiAlignOptions> = {
    outputSize: options.outputSize ?? 7,
    samplingRatio: options.samplingRatio ?? 0,
    aligned: options.aligned ?? true,
    featmapStrides: options.featmapStrides ?? [4, 8, 16, 32],
    finestScale: options.finestScale ?? 56,
  };
  const channels = checkFeatures(features, resolved.featmapStrides);
  const numRois = rois.batchIndices.length;
  if (rois.boxes.length !== 4 * numRois) {
    throw new RoiAlignError(`boxes has ${rois.boxes.length} numbers for ${numRois} RoIs (4 each expected)`);
  }
  const size = resolved.outputSize;
  const cells = numRois * size * size;
  if (numRois === 0) return tf.zeros<tf.Rank.R4>([0, size, size, channels]);
  const plans = planLevels(features, rois, resolved);

  const pooled = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const maps = args.slice(0, features.length) as tf.Tensor4D[];
    const save = args[features.length] as tf.GradSaveFunc;
    const tables = plans.flatMap(tableTensors);
    save(tables);
    const perLevel = plans.map(({ level }, k) => {
      const source = tf.reshape<tf.Rank.R2>(maps[level] as tf.Tensor4D, [-1, channels]);
      return sparseRowCombine(source, levelEntries(tables, k, 'forward'), cells);
    });
    const summed = perLevel.length === 1 ? (perLevel[0] as tf.Tensor2D) : tf.addN(perLevel);
    const value = tf.reshape<tf.Rank.R4>(summed, [numRois, size, size, channels]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const dyCells = tf.reshape<tf.Rank.R2>(dy, [cells, channels]);
      return maps.map((map, level) => {
        const k = plans.findIndex((plan) => plan.level === level);
        // Not zerosLike(map): `map` is disposed by now; cpu and wasm read only its shape, tfjs-node its data.
        if (k < 0) return tf.zeros(map.shape, map.dtype);
        const [batch, height, width] = map.shape;
        const pixels = batch * height * width;
        return tf.reshape(sparseRowCombine(dyCells, levelEntries(saved, k, 'backward'), pixels), map.shape);
      });
    };
    return { value, gradFunc };
  });
  return pooled(...features);
}
