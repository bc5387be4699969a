import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  analyticGradient,
  allBackends,
  forEachBackend,
  finiteDifferences,
  relativeError,
  seededTensor,
  seededValues,
  useBackend,
  weightedSum,
} from './helpers.js';

interface GradientCase {
  name: string;
  shape: number[];
  /** A scalar loss that is linear in its argument (see finiteDifferences for why that matters). */
  loss: (x: tf.Tensor) => tf.Scalar;
  /** Where to differentiate; seeded values in [-1, 1) when absent. */
  at?: Float32Array;
}

const matMulCases: GradientCase[] = [false, true].flatMap((transposeA) =>
  [false, true].flatMap((transposeB): GradientCase[] => {
    const aShape = transposeA ? [2, 4, 3] : [2, 3, 4];
    const bShape = transposeB ? [2, 5, 4] : [2, 4, 5];
    const label = `matMul(a${transposeA ? '^T' : ''}, b${transposeB ? '^T' : ''})`;
    return [
      {
        name: `${label} wrt a`,
        shape: aShape,
        loss: (a) => weightedSum(tf.matMul(a, seededTensor(bShape, 3), transposeA, transposeB)),
      },
      {
        name: `${label} wrt b`,
        shape: bShape,
        loss: (b) => weightedSum(tf.matMul(seededTensor(aShape, 4), b, transposeA, transposeB)),
      },
    ];
  }),
);

const gatherScatterCases: GradientCase[] = [
  {
    name: 'gatherND with repeated indices',
    shape: [3, 4, 2],
    loss: (x) =>
      weightedSum(
        tf.gatherND(
          x,
          tf.tensor2d(
            [
              [0, 1],
              [2, 3],
              [0, 1],
              [1, 0],
            ],
            [4, 2],
            'int32',
          ),
        ),
      ),
  },
  {
    name: 'scatterND (duplicates summed) wrt updates',
    shape: [4, 3],
    loss: (updates) =>
      weightedSum(tf.scatterND(tf.tensor2d([[1], [3], [1], [0]], [4, 1], 'int32'), updates, [5, 3])),
  },
];

const stridedSliceCases: GradientCase[] = [
  {
    name: 'stridedSlice, unit strides',
    shape: [4, 5, 3],
    loss: (x) => weightedSum(tf.stridedSlice(x, [1, 0, 1], [3, 4, 3], [1, 1, 1])),
  },
  {
    name: 'stridedSlice, stride 2 and a negative stride',
    shape: [5, 6],
    loss: (x) => weightedSum(tf.stridedSlice(x, [0, 5], [5, 0], [2, -2])),
  },
  {
    name: 'stridedSlice, begin/end masks and a shrunk axis',
    shape: [3, 4, 5],
    // Axis 0 from its start (beginMask) to 2, axis 1 shrunk to index 2, axis 2 from 1 to its end (endMask).
    // Unit strides only: tfjs 4.22's forward kernel (cpu and wasm) reads the wrong elements when a shrunk axis
    // is combined with a non-unit stride, so that combination has no correct function to differentiate.
    loss: (x) => weightedSum(tf.stridedSlice(x, [1, 2, 1], [2, 3, 0], [1, 1, 1], 0b001, 0b100, 0, 0, 0b010)),
  },
  {
    name: 'stridedSlice, masks with stride 2',
    shape: [3, 4, 5],
    loss: (x) => weightedSum(tf.stridedSlice(x, [1, 1, 1], [2, 3, 0], [1, 2, 2], 0b001, 0b100)),
  },
  {
    name: 'stridedSlice, ellipsis and a new axis',
    shape: [2, 3, 4],
    loss: (x) => weightedSum(tf.stridedSlice(x, [0, 1], [0, 4], [1, 2], 0, 0, 0b01, 0b10, 0)),
  },
];

// Distinct values 2 apart in a scrambled order: a +-0.5 probe never changes which ones topk selects, so the
// loss is linear around this point.
const spreadValues = Float32Array.from({ length: 12 }, (_, i) => ((i * 7) % 12) * 2 - 11);

const selectionCases: GradientCase[] = [
  {
    name: 'topk values (k = 3 per row)',
    shape: [2, 6],
    loss: (x) => weightedSum(tf.topk(x, 3).values),
    at: spreadValues,
  },
  {
    name: 'tensorScatterUpdate wrt the tensor',
    shape: [4, 3],
    loss: (x) =>
      weightedSum(tf.tensorScatterUpdate(x, tf.tensor2d([[2], [0]], [2, 1], 'int32'), tf.ones([2, 3]))),
  },
  {
    name: 'tensorScatterUpdate wrt the updates',
    shape: [2, 3],
    loss: (u) =>
      weightedSum(tf.tensorScatterUpdate(tf.ones([4, 3]), tf.tensor2d([[2], [0]], [2, 1], 'int32'), u)),
  },
];

describe('worker/tf gradient overrides against central finite differences', () => {
  // Every loss is linear in x (topk: piecewise linear, probed away from its kinks), so the central difference is exact but for float32 rounding: about 1e-7 times
  // the sum of |terms| (at most ~10 terms of size <= 1 here) over eps = 0.5, i.e. ~1e-6 of max|grad|. 1e-5
  // relative is 10x that; a wrong index or transpose gives O(1).
  const tolerance = 1e-5;
  forEachBackend(allBackends, (backend) => {
    before(() => useBackend(backend));
    for (const c of [...matMulCases, ...gatherScatterCases, ...stridedSliceCases, ...selectionCases]) {
      it(c.name, () => {
        const x =
          c.at ??
          seededValues(
            c.shape.reduce((a, b) => a * b, 1),
            17,
          );
        const analytic = analyticGradient(c.loss, x, c.shape);
        const numeric = finiteDifferences(c.loss, x, c.shape);
        expect(Math.max(...numeric.map(Math.abs))).to.be.above(0.1);
        expect(relativeError(analytic, numeric)).to.be.below(tolerance);
      });
    }
  });
});
