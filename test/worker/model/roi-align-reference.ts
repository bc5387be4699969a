// An independent, deliberately plain RoIAlign for tests: mmcv's roi_align_forward (CPU) read line by line, one
// sample at a time in float64 (no table, no separability), plus mmdet's level mapping written out again.

export interface ReferenceMap {
  values: Float32Array;
  shape: [number, number, number, number];
}

export interface ReferenceOptions {
  outputSize: number;
  samplingRatio: number;
  aligned: boolean;
  featmapStrides: number[];
  finestScale: number;
}

export function referenceLevel(w: number, h: number, numLevels: number, finestScale: number): number {
  const level = Math.floor(Math.log2(Math.sqrt(w * h) / finestScale + 1e-6));
  return Math.max(0, Math.min(numLevels - 1, level));
}

/** mmcv bilinear_interpolate for one channel-vector sample, added into `out` times `scale`. */
function addBilinear(
  map: ReferenceMap,
  image: number,
  y: number,
  x: number,
  scale: number,
  out: Float64Array,
): void {
  const [, height, width, channels] = map.shape;
  if (y < -1 || y > height || x < -1 || x > width) return;
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  let yLow = Math.floor(y);
  let xLow = Math.floor(x);
  let yHigh: number;
  let xHigh: number;
  if (yLow >= height - 1) {
    yHigh = yLow = height - 1;
    y = yLow;
  } else yHigh = yLow + 1;
  if (xLow >= width - 1) {
    xHigh = xLow = width - 1;
    x = xLow;
  } else xHigh = xLow + 1;
  const ly = y - yLow;
  const lx = x - xLow;
  const hy = 1 - ly;
  const hx = 1 - lx;
  const corners: [number, number, number][] = [
    [yLow, xLow, hy * hx],
    [yLow, xHigh, hy * lx],
    [yHigh, xLow, ly * hx],
    [yHigh, xHigh, ly * lx],
  ];
  for (const [cy, cx, w] of corners) {
    const base = ((image * height + cy) * width + cx) * channels;
    for (let c = 0; c < channels; c++) out[c] = (out[c] ?? 0) + scale * w * (map.values[base + c] ?? 0);
  }
}

/** [numRois, outputSize, outputSize, channels], flattened. */
export function referenceRoiAlign(
  maps: ReferenceMap[],
  boxes: number[][],
  batchIndices: number[],
  o: ReferenceOptions,
): Float32Array {
  const channels = maps[0]?.shape[3] ?? 0;
  const n = o.outputSize;
  const result = new Float32Array(boxes.length * n * n * channels);
  boxes.forEach(([x1 = 0, y1 = 0, x2 = 0, y2 = 0], roi) => {
    const level = referenceLevel(x2 - x1, y2 - y1, maps.length, o.finestScale);
    const map = maps[level] as ReferenceMap;
    const scale = 1 / (o.featmapStrides[level] ?? 1);
    const offset = o.aligned ? 0.5 : 0;
    const startX = x1 * scale - offset;
    const startY = y1 * scale - offset;
    let roiW = x2 * scale - offset - startX;
    let roiH = y2 * scale - offset - startY;
    if (!o.aligned) {
      roiW = Math.max(roiW, 1);
      roiH = Math.max(roiH, 1);
    }
    const binH = roiH / n;
    const binW = roiW / n;
    const gridH = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(roiH / n);
    const gridW = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(roiW / n);
    const count = Math.max(gridH * gridW, 1);
    for (let ph = 0; ph < n; ph++) {
      for (let pw = 0; pw < n; pw++) {
        const acc = new Float64Array(channels);
        for (let iy = 0; iy < gridH; iy++) {
          const y = startY + ph * binH + ((iy + 0.5) * binH) / gridH;
          for (let ix = 0; ix < gridW; ix++) {
            const x = startX + pw * binW + ((ix + 0.5) * binW) / gridW;
            addBilinear(map, batchIndices[roi] ?? 0, y, x, 1 / count, acc);
          }
        }
        result.set(acc, ((roi * n + ph) * n + pw) * channels);
      }
    }
  });
  return result;
}
