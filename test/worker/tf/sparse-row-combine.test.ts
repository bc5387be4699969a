import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { sparseRowCombine, TfKernelError } from '../../../worker/internal.js';
import {
  allBackends,
  cpuBackends,
  forEachBackend,
  relativeError,
  seededTensor,
  seededValues,
  useBackend,
} from './helpers.js';

describe('worker/tf sparseRowCombine (the SparseRowCombine kernel)', () => {
  // 40 entries from 6 source rows into 5 output rows, with repeated (from, to) pairs that must add up.
  const fromRows = Array.from({ length: 40 }, (_, e) => (e * 7) % 6);
  const toRows = Array.from({ length: 40 }, (_, e) => (e * 3) % 5);
  const weights = seededValues(40, 9);

  // On tensorflow the op is that composition itself (no SparseRowCombine kernel there): it must still run.
  forEachBackend(allBackends, (backend) => {
    it(`matches gather * weight scatter-added with scatterND`, async () => {
      await useBackend(backend);
      const source = seededTensor([6, 3], 4) as tf.Tensor2D;
      const entries = {
        fromRows: tf.tensor1d(fromRows, 'int32'),
        toRows: tf.tensor1d(toRows, 'int32'),
        weights: tf.tensor1d(weights),
      };
      const actual = sparseRowCombine(source, entries, 5);
      const expected = tf.tidy(() =>
        tf.scatterND(
          tf.expandDims(entries.toRows, 1),
          tf.mul(tf.gather(source, entries.fromRows), tf.expandDims(entries.weights, 1)),
          [5, 3],
        ),
      );
      expect(actual.shape).to.deep.equal([5, 3]);
      // The same float32 products summed in a different order: a few ulps of sums of ~8 terms of size <= 1.
      expect(relativeError(actual.dataSync(), expected.dataSync())).to.be.below(1e-5);
      tf.dispose([source, actual, expected, ...Object.values(entries)]);
    });
  });

  for (const backend of cpuBackends) {
    it(`rejects an entry outside the source or the output on ${backend}`, async () => {
      await useBackend(backend);
      const source = tf.zeros<tf.Rank.R2>([2, 2]);
      const entries = {
        fromRows: tf.tensor1d([0, 2], 'int32'),
        toRows: tf.tensor1d([0, 0], 'int32'),
        weights: tf.ones<tf.Rank.R1>([2]),
      };
      expect(() => sparseRowCombine(source, entries, 1)).to.throw(TfKernelError, /entry 1/);
      tf.dispose([source, ...Object.values(entries)]);
    });

    it(`rejects float row indices on ${backend} (they would be truncated silently)`, async () => {
      await useBackend(backend);
      const source = tf.zeros<tf.Rank.R2>([2, 2]);
      const entries = {
        fromRows: tf.tensor1d([0, 1]),
        toRows: tf.tensor1d([0, 0], 'int32'),
        weights: tf.ones<tf.Rank.R1>([2]),
      };
      expect(() => sparseRowCombine(source, entries, 1)).to.throw(TfKernelError, /int32/);
      tf.dispose([source, ...Object.values(entries)]);
    });
  }
});
