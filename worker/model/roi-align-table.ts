// The sparse bilinear table of RoIAlign for the RoIs pooled from one feature level: every output cell is a
// weighted sum of feature pixels, out[row] = sum over entries with outRow = row of weight * feature[featRow].
// Built in JS from the (constant) boxes, it serves the forward pass (gather + scatter-add) and, transposed, the
// backward pass into the feature map, with exact mmcv semantics at the borders and any sampling ratio.
//
// The geometry is mmcv's roi_align (bacl-method.md §1.2: 7x7, sampling_ratio 0, aligned=True): with offset 0.5
// when aligned, a RoI starts at x1 * scale - offset, spans (x2 - x1) * scale (at least 1 when not aligned) and is
// cut into outputSize bins; each bin averages gridH x gridW bilinear samples at its (i + 0.5) / grid points, with
// grid = samplingRatio, or ceil(span / outputSize) when samplingRatio is 0 (adaptive, per RoI and axis). A sample
// outside [-1, size] contributes 0; one in [-1, 0] reads the edge, as does one in [size - 1, size].
// The bilinear weight of a sample factorises into a row weight times a column weight, so the table is built per
// axis: each bin gets its rows (and columns) with weights summed over that axis' samples, then the outer product.
import { RoiAlignError } from './roi-align-error.js';

export interface RoiAlignGeometry {
  /** Output bins per side. */
  outputSize: number;
  /** Samples per bin and axis; 0 = ceil(RoI span / outputSize), per RoI. */
  samplingRatio: number;
  /** Half-pixel offset (aligned=True) instead of the legacy min-1-pixel RoI size. */
  aligned: boolean;
}

export interface LevelMap {
  batch: number;
  height: number;
  width: number;
  /** 1 / the level's stride. */
  spatialScale: number;
}

export interface RoiAlignTable {
  /** Output cell: roi * outputSize^2 + binY * outputSize + binX, in the caller's RoI numbering. */
  outRows: Int32Array;
  /** Feature pixel: (batchIndex * height + y) * width + x. */
  featRows: Int32Array;
  weights: Float32Array;
}

/**
 * One axis of one RoI: bin b reads feature indices indices[offsets[b] .. offsets[b + 1]) with the matching
 * weights, already divided by the bin's sample count.
 */
interface AxisBins {
  offsets: Int32Array;
  indices: number[];
  weights: number[];
}

// mmcv runs this in float32; rounding the geometry the same way keeps ceil() and the edge tests in step with it.
const f32 = Math.fround;

/** Adds weight to index, merging with an equal index among the last two entries of the current bin. */
function accumulate(bins: AxisBins, binStart: number, index: number, weight: number): void {
  const { indices, weights } = bins;
  // Samples move forward, so an index already present is one of the last two (the previous low/high pair).
  for (let k = indices.length - 1; k >= Math.max(binStart, indices.length - 2); k--) {
    if (indices[k] === index) {
      weights[k] = (weights[k] ?? 0) + weight;
      return;
    }
  }
  indices.push(index);
  weights.push(weight);
}

function axisBins(start: number, span: number, size: number, geometry: RoiAlignGeometry): AxisBins {
  const { outputSize, samplingRatio } = geometry;
  const binSize = f32(span / outputSize);
  const grid = samplingRatio > 0 ? samplingRatio : Math.ceil(binSize);
  const bins: AxisBins = { offsets: new Int32Array(outputSize + 1), indices: [], weights: [] };
  for (let bin = 0; bin < outputSize; bin++) {
    const binStart = bins.indices.length;
    for (let sample = 0; sample < grid; sample++) {
      let at = f32(f32(start + f32(bin * binSize)) + f32(f32((sample + 0.5) * binSize) / grid));
      if (at < -1 || at > size) continue;
      if (at <= 0) at = 0;
      let low = Math.floor(at);
      let high = low + 1;
      if (low >= size - 1) {
        low = high = size - 1;
        at = low;
      }
      const fraction = at - low;
      accumulate(bins, binStart, low, (1 - fraction) / grid);
      accumulate(bins, binStart, high, fraction / grid);
    }
    bins.offsets[bin + 1] = bins.indices.length;
  }
  return bins;
}

function checkedBox(
  boxes: ArrayLike<number>,
  roi: number,
  aligned: boolean,
): [number, number, number, number] {
  const box = [0, 1, 2, 3].map((k) => boxes[4 * roi + k] ?? NaN) as [number, number, number, number];
  if (!box.every(Number.isFinite)) throw new RoiAlignError(`RoI ${roi} has a non-finite coordinate`, roi);
  if (aligned && (box[2] < box[0] || box[3] < box[1])) {
    // mmcv asserts the same ("ROIs in ROIAlign cannot have non-negative size").
    throw new RoiAlignError(`RoI ${roi} has x2 < x1 or y2 < y1: [${box.join(', ')}]`, roi);
  }
  return box;
}

/**
 * The table for RoIs `roiIds` (indices into boxes/batchIndices, also their output numbering) on one level.
 * `boxes` holds x1, y1, x2, y2 per RoI in input-image pixels.
 */
export function buildRoiAlignTable(
  boxes: ArrayLike<number>,
  batchIndices: ArrayLike<number>,
  roiIds: ArrayLike<number>,
  map: LevelMap,
  geometry: RoiAlignGeometry,
): RoiAlignTable {
  const { outputSize, aligned } = geometry;
  const offset = aligned ? 0.5 : 0;
  // Pass 1: each RoI's row and column bins, and the entry count (every row of a bin times every column).
  const perRoi: { roi: number; featBase: number; rows: AxisBins; cols: AxisBins }[] = [];
  let entries = 0;
  for (let i = 0; i < roiIds.length; i++) {
    const roi = roiIds[i] ?? 0;
    const image = batchIndices[roi] ?? -1;
    if (!Number.isInteger(image) || image < 0 || image >= map.batch) {
      throw new RoiAlignError(`RoI ${roi} has batch index ${image}, outside [0, ${map.batch})`, roi);
    }
    const [x1, y1, x2, y2] = checkedBox(boxes, roi, aligned);
    const startX = f32(f32(x1 * map.spatialScale) - offset);
    const startY = f32(f32(y1 * map.spatialScale) - offset);
    let spanX = f32(f32(f32(x2 * map.spatialScale) - offset) - startX);
    let spanY = f32(f32(f32(y2 * map.spatialScale) - offset) - startY);
    if (!aligned) {
      spanX = Math.max(spanX, 1);
      spanY = Math.max(spanY, 1);
    }
    const rows = axisBins(startY, spanY, map.height, geometry);
    const cols = axisBins(startX, spanX, map.width, geometry);
    entries += rows.indices.length * cols.indices.length;
    perRoi.push({ roi, featBase: image * map.height, rows, cols });
  }
  // Pass 2: the outer products, straight into typed arrays (zero weights kept: they cost little and are rare).
  const table: RoiAlignTable = {
    outRows: new Int32Array(entries),
    featRows: new Int32Array(entries),
    weights: new Float32Array(entries),
  };
  let e = 0;
  for (const { roi, featBase, rows, cols } of perRoi) {
    for (let binY = 0; binY < outputSize; binY++) {
      for (let binX = 0; binX < outputSize; binX++) {
        const outRow = (roi * outputSize + binY) * outputSize + binX;
        for (let r = rows.offsets[binY] ?? 0; r < (rows.offsets[binY + 1] ?? 0); r++) {
          const featRow = (featBase + (rows.indices[r] ?? 0)) * map.width;
          const rowWeight = rows.weights[r] ?? 0;
          for (let c = cols.offsets[binX] ?? 0; c < (cols.offsets[binX + 1] ?? 0); c++) {
            table.outRows[e] = outRow;
            table.featRows[e] = featRow + (cols.indices[c] ?? 0);
            table.weights[e] = rowWeight * (cols.weights[c] ?? 0);
            e++;
          }
        }
      }
    }
  }
  return table;
}
