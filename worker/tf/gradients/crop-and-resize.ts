// CropAndResize gradient with respect to the image: each crop pixel's dy goes back to the (up to 4) image pixels
// its sample read, with the same bilinear weights (or weight 1 at the nearest pixel).
//
// Why: tfjs 4.22 registers no gradient for CropAndResize (tfjs-notes §2). The sample positions follow tfjs' cpu
// kernel (TF's crop_and_resize_op): y = y1*(H-1) + i*(y2-y1)*(H-1)/(cropH-1), or the box centre when cropH is 1;
// samples outside [0, H-1] got the extrapolation value and get no gradient. The boxes are read back to JS
// (they are small) and the scatter is worker/tf's sparseRowCombine. Box gradients are not implemented: boxes
// are constants in Faster R-CNN, and asking for them throws.
// Measured against: central finite differences (test/worker/tf/crop-and-resize.test.ts).
import * as tf from '@tensorflow/tfjs';
import { TfKernelError } from '../errors.js';
import { sparseRowCombine } from '../ops/sparse-row-combine.js';

interface CropAttrs {
  cropSize: [number, number];
  method: 'bilinear' | 'nearest';
}

/**
 * How the forward kernel rounds: cpu computes positions in JS doubles, wasm and tensorflow (TF's own kernel) in
 * C++ float32. The difference decides nearest-neighbour ties (3.4999999 vs 3.5), so the gradient must round the
 * same way.
 */
function arithmeticOf(backend: string): (value: number) => number {
  return backend === 'cpu' ? (value) => value : Math.fround;
}

/** Image positions along one axis for each of `count` crop samples (NaN where the sample is extrapolated). */
function samplePositions(start: number, end: number, size: number, count: number, r: (v: number) => number) {
  const scale = count > 1 ? r(r(r(end - start) * (size - 1)) / (count - 1)) : 0;
  return Array.from({ length: count }, (_, i) => {
    const at = count > 1 ? r(r(start * (size - 1)) + r(i * scale)) : r(r(0.5 * r(start + end)) * (size - 1));
    return at < 0 || at > size - 1 ? NaN : at;
  });
}

/** (index, weight) pairs one sample reads along an axis. */
function axisTaps(at: number, method: CropAttrs['method']): [number, number][] {
  if (method === 'nearest') return [[Math.round(at), 1]];
  const low = Math.floor(at);
  const lerp = at - low;
  return [
    [low, 1 - lerp],
    [Math.ceil(at), lerp],
  ];
}

/** The crop-pixel -> image-pixel entries of the whole op (crop rows first, as sparseRowCombine reads them). */
function cropEntries(
  imageShape: number[],
  boxes: ArrayLike<number>,
  boxInd: ArrayLike<number>,
  attrs: CropAttrs,
) {
  const [batch = 0, height = 0, width = 0] = imageShape;
  const [cropHeight, cropWidth] = attrs.cropSize;
  const r = arithmeticOf(tf.getBackend());
  const cropRows: number[] = [];
  const imageRows: number[] = [];
  const weights: number[] = [];
  for (let box = 0; box < boxInd.length; box++) {
    const image = boxInd[box] ?? 0;
    if (image < 0 || image >= batch) continue; // the kernel leaves such crops at 0
    const [y1 = 0, x1 = 0, y2 = 0, x2 = 0] = [0, 1, 2, 3].map((k) => boxes[4 * box + k]);
    const ys = samplePositions(y1, y2, height, cropHeight, r);
    const xs = samplePositions(x1, x2, width, cropWidth, r);
    ys.forEach((y, i) => {
      if (Number.isNaN(y)) return;
      xs.forEach((x, j) => {
        if (Number.isNaN(x)) return;
        for (const [row, rowWeight] of axisTaps(y, attrs.method)) {
          for (const [col, colWeight] of axisTaps(x, attrs.method)) {
            cropRows.push((box * cropHeight + i) * cropWidth + j);
            imageRows.push((image * height + row) * width + col);
            weights.push(rowWeight * colWeight);
          }
        }
      });
    });
  }
  return { cropRows, imageRows, weights };
}

export const cropAndResizeGradient: tf.GradConfig = {
  kernelName: tf.CropAndResize,
  inputsToSave: ['image', 'boxes', 'boxInd'],
  gradFunc: (dy, saved, attrs) => {
    const [image, boxes, boxInd] = saved as [tf.Tensor4D, tf.Tensor2D, tf.Tensor1D];
    return {
      image: () => {
        const entries = cropEntries(
          image.shape,
          boxes.dataSync(),
          boxInd.dataSync(),
          attrs as unknown as CropAttrs,
        );
        const [batch, height, width, channels] = image.shape;
        const dyRows = tf.reshape<tf.Rank.R2>(dy as tf.Tensor, [-1, channels]);
        const rows = {
          fromRows: tf.tensor1d(entries.cropRows, 'int32'),
          toRows: tf.tensor1d(entries.imageRows, 'int32'),
          weights: tf.tensor1d(entries.weights),
        };
        return tf.reshape(sparseRowCombine(dyRows, rows, batch * height * width), image.shape);
      },
      boxes: () => {
        throw new TfKernelError(
          tf.CropAndResize,
          'no gradient with respect to boxes (they are constants here)',
        );
      },
      boxInd: () => tf.zerosLike(boxInd),
    };
  },
};
