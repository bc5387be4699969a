import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { replacedKernel } from '../../../worker/internal.js';
import {
  analyticGradient,
  allBackends,
  forEachBackend,
  nativeMissing,
  finiteDifferences,
  relativeError,
  seededValues,
  useBackend,
  weightedSum,
} from './helpers.js';

interface SegmentCase {
  name: string;
  xShape: number[];
  ids: number[];
  idsShape: number[];
  numSegments: number;
  dtype: 'float32' | 'int32';
}

const cases: SegmentCase[] = [
  {
    name: 'rows into fewer segments',
    xShape: [6, 4],
    ids: [2, 0, 2, 1, 0, 2],
    idsShape: [6],
    numSegments: 3,
    dtype: 'float32',
  },
  {
    name: 'ids out of range are dropped',
    xShape: [5, 3],
    ids: [0, -1, 3, 7, 1],
    idsShape: [5],
    numSegments: 4,
    dtype: 'float32',
  },
  { name: 'int32 values', xShape: [4, 2], ids: [1, 1, 0, 1], idsShape: [4], numSegments: 2, dtype: 'int32' },
  {
    name: 'empty segments stay zero',
    xShape: [3],
    ids: [4, 4, 0],
    idsShape: [3],
    numSegments: 6,
    dtype: 'float32',
  },
];

function inputsFor(c: SegmentCase): { x: tf.Tensor; segmentIds: tf.Tensor } {
  const size = c.xShape.reduce((a, b) => a * b, 1);
  const values = seededValues(size, 5).map((v) => (c.dtype === 'int32' ? Math.round(v * 100) : v));
  return { x: tf.tensor(values, c.xShape, c.dtype), segmentIds: tf.tensor(c.ids, c.idsShape, 'int32') };
}

function nativeCpuSum(c: SegmentCase): number[] {
  const native = replacedKernel(tf.UnsortedSegmentSum, 'cpu');
  if (native === undefined) throw new Error('the cpu UnsortedSegmentSum kernel was not recorded');
  const inputs = inputsFor(c);
  const info = native.kernelFunc({ inputs, backend: tf.backend(), attrs: { numSegments: c.numSegments } });
  const result = tf.engine().makeTensorFromTensorInfo(info as tf.TensorInfo);
  const values = Array.from(result.dataSync());
  tf.dispose([result, inputs.x, inputs.segmentIds]);
  return values;
}

describe('worker/tf UnsortedSegmentSum override (linear pass)', () => {
  it('is not installed on tensorflow, whose native kernel is linear already', async function () {
    if (nativeMissing !== undefined) this.skip();
    await useBackend('tensorflow');
    expect(replacedKernel(tf.UnsortedSegmentSum, 'tensorflow')).to.equal(undefined);
  });

  forEachBackend(allBackends, (backend) => {
    for (const c of cases) {
      if (backend === 'tensorflow' && c.name.includes('out of range')) {
        // TensorFlow's kernel refuses such ids where tfjs' drops them; nothing here relies on either.
        it("rejects out-of-range ids (TensorFlow's kernel checks them; tfjs' drops them)", async () => {
          await useBackend(backend);
          const { x, segmentIds } = inputsFor(c);
          expect(() => tf.unsortedSegmentSum(x, segmentIds as tf.Tensor1D, c.numSegments)).to.throw(
            /out of range/,
          );
          tf.dispose([x, segmentIds]);
        });
        continue;
      }
      it(`matches the native cpu kernel: ${c.name}`, async () => {
        await useBackend('cpu');
        const expected = nativeCpuSum(c);
        await useBackend(backend);
        const { x, segmentIds } = inputsFor(c);
        const actual = tf.unsortedSegmentSum(x, segmentIds as tf.Tensor1D, c.numSegments);
        expect(actual.dtype).to.equal(c.dtype);
        expect(actual.shape).to.deep.equal([c.numSegments, ...c.xShape.slice(c.idsShape.length)]);
        // Sums of at most 3 float32 values in the same order as the native loop: equal up to one rounding.
        expect(relativeError(actual.dataSync(), expected)).to.be.below(1e-6);
        tf.dispose([x, segmentIds, actual]);
      });
    }

    it('gives tf.gather a gradient that matches finite differences', async () => {
      await useBackend(backend);
      const shape = [5, 3];
      const params = seededValues(15, 21);
      const loss = (p: tf.Tensor) => weightedSum(tf.gather(p, tf.tensor1d([4, 0, 4, 2, 4], 'int32')));
      const analytic = analyticGradient(loss, params, shape);
      // Linear in params, so the central difference is exact up to float32 rounding (see finiteDifferences).
      expect(relativeError(analytic, finiteDifferences(loss, params, shape))).to.be.below(1e-5);
    });
  });
});
