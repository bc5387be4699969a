import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { TfKernelError } from '../../../worker/internal.js';
import {
  analyticGradient,
  allBackends,
  forEachBackend,
  finiteDifferences,
  relativeError,
  seededValues,
  useBackend,
  weightedSum,
} from './helpers.js';

// [y1, x1, y2, x2] normalised: interior, flipped (y2 < y1), partly outside (extrapolated), and a single row.
const boxes = tf.tensor2d(
  [0.1, 0.2, 0.8, 0.7, 0.9, 0.1, 0.3, 0.6, -0.3, 0.4, 0.6, 1.4, 0.5, 0.0, 0.5, 1.0],
  [4, 4],
);
const boxInd = tf.tensor1d([0, 1, 1, 0], 'int32');
const imageShape = [2, 5, 6, 2];

describe('worker/tf CropAndResize gradient against central finite differences', () => {
  after(() => tf.dispose([boxes, boxInd]));

  forEachBackend(allBackends, (backend) => {
    for (const method of ['bilinear', 'nearest'] as const) {
      it(`matches on ${backend} with ${method} sampling`, async () => {
        await useBackend(backend);
        const image = seededValues(
          imageShape.reduce((a, b) => a * b, 1),
          31,
        );
        const loss = (x: tf.Tensor) =>
          weightedSum(tf.image.cropAndResize(x as tf.Tensor4D, boxes, boxInd, [3, 4], method, 0));
        const numeric = finiteDifferences(loss, image, imageShape);
        expect(Math.max(...numeric.map(Math.abs))).to.be.above(0.1);
        // Linear in the image (helpers.ts): exact up to float32 rounding; 1e-5 relative as for the others.
        expect(relativeError(analyticGradient(loss, image, imageShape), numeric)).to.be.below(1e-5);
      });
    }
  });

  it('refuses a gradient with respect to the boxes', () => {
    const image = tf.ones<tf.Rank.R4>([2, 5, 6, 2]);
    const gradWrtBoxes = () =>
      tf.grad((b: tf.Tensor) => tf.sum(tf.image.cropAndResize(image, b as tf.Tensor2D, boxInd, [2, 2])))(
        boxes,
      );
    expect(gradWrtBoxes).to.throw(TfKernelError, /boxes/);
    image.dispose();
  });
});
