import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { roiAlign, type RoiAlignOptions, RoiAlignError } from '../../../worker/internal.js';
import {
  analyticGradient,
  cpuBackends,
  finiteDifferences,
  relativeError,
  seededValues,
  useBackend,
  weightedSum,
} from '../tf/helpers.js';
import {
  type ReferenceMap,
  type ReferenceOptions,
  referenceLevel,
  referenceRoiAlign,
} from './roi-align-reference.js';

const defaults: ReferenceOptions = {
  outputSize: 7,
  samplingRatio: 0,
  aligned: true,
  featmapStrides: [4, 8, 16, 32],
  finestScale: 56,
};

/** P2-P5 of a batch of 128x128 images. */
function pyramid(batch: number, image: number, channels: number, seed: number): ReferenceMap[] {
  return defaults.featmapStrides.map((stride, level) => {
    const side = image / stride;
    const shape: [number, number, number, number] = [batch, side, side, channels];
    return { values: seededValues(batch * side * side * channels, seed + level), shape };
  });
}

// Each case names what it exercises; the level each box maps to is checked against the reference formula.
const boxes: number[][] = [
  [10.3, 20.7, 50.2, 60.9], // interior, P2, grid 2
  [5, 5, 5.6, 6.1], // smaller than a feature pixel, grid 1
  [30, 30, 30, 30], // zero size: grid 0, all zeros
  [0, 0, 90, 100], // touching the top-left edge: samples in [-0.5, 0) read the edge, grid 4
  [100, 110, 128, 128], // touching the bottom-right edge: samples in [H-1, H] read the edge
  [-20, -10, 140, 130], // beyond the image, P3: samples past -1 are zero
  [20, 30, 180, 150], // P3
  [0, 0, 300, 250], // P4, mostly outside the 8x8 map
  [-50, 10, 600, 500], // P5, grid 3
  [10, 40, 250, 44], // thin, P2: grid 9 across, 1 down
];
const batchIndices = boxes.map((_, i) => i % 2);

function runRoiAlign(maps: ReferenceMap[], options: RoiAlignOptions): Float32Array {
  return tf
    .tidy(() => {
      const features = maps.map((m) => tf.tensor4d(m.values, m.shape));
      return roiAlign(features, { boxes: boxes.flat(), batchIndices }, options);
    })
    .dataSync() as Float32Array;
}

describe('worker/model roiAlign', () => {
  it('uses every level and every edge case in the forward cases', () => {
    const levels = boxes.map(([x1 = 0, y1 = 0, x2 = 0, y2 = 0]) => referenceLevel(x2 - x1, y2 - y1, 4, 56));
    expect(new Set(levels)).to.deep.equal(new Set([0, 1, 2, 3]));
  });

  for (const backend of cpuBackends) {
    describe(`on ${backend}`, () => {
      before(() => useBackend(backend));
      const variants: [string, Partial<ReferenceOptions>][] = [
        ['aligned, adaptive sampling (the BACL config)', {}],
        ['aligned, sampling ratio 2', { samplingRatio: 2 }],
        ['legacy aligned=false (min 1-pixel RoIs)', { aligned: false }],
        ['output 3x3', { outputSize: 3 }],
      ];
      for (const [name, variant] of variants) {
        it(`matches the reference loops: ${name}`, () => {
          const options = { ...defaults, ...variant };
          const maps = pyramid(2, 128, 3, 40);
          const actual = runRoiAlign(maps, options);
          const expected = referenceRoiAlign(maps, boxes, batchIndices, options);
          expect(actual.length).to.equal(boxes.length * options.outputSize ** 2 * 3);
          // The implementation rounds the geometry to float32 as mmcv does; the reference stays in float64. Sample
          // positions then differ by about ulp(coordinate) (~4e-6 px at 64 px), times feature slopes of at most 2
          // per px: measured 2.4e-6 of the largest output; 1e-5 leaves 4x, and any geometry mistake is O(0.1).
          expect(relativeError(actual, expected)).to.be.below(1e-5);
        });
      }

      it('has a gradient into every level that matches finite differences', () => {
        // Small maps (one 32x32 image: P2 8x8 ... P5 1x1) keep one forward per element affordable.
        const maps = pyramid(1, 32, 2, 70);
        const gradBoxes = [2, 3, 20, 25, 0, 0, 150, 120, -10, 5, 300, 200, 0, 0, 500, 480, 1, 1, 30, 31];
        const rois = { boxes: gradBoxes, batchIndices: [0, 0, 0, 0, 0] };
        maps.forEach((map, level) => {
          const loss = (x: tf.Tensor) =>
            weightedSum(
              roiAlign(
                maps.map((m, k) => (k === level ? (x as tf.Tensor4D) : tf.tensor4d(m.values, m.shape))),
                rois,
              ),
            );
          const analytic = analyticGradient(loss, map.values, map.shape);
          const numeric = finiteDifferences(loss, map.values, map.shape);
          expect(Math.max(...numeric.map(Math.abs)), `level ${level} is used`).to.be.above(0.01);
          // Linear in the features: exact central differences but for float32 rounding (helpers.ts).
          expect(relativeError(analytic, numeric), `level ${level}`).to.be.below(1e-5);
        });
      });
    });
  }

  it('rejects inverted boxes, naming the RoI', async () => {
    await useBackend('cpu');
    const features = [tf.zeros<tf.Rank.R4>([1, 4, 4, 1])];
    const call = () =>
      roiAlign(features, { boxes: [0, 0, 4, 4, 3, 0, 1, 2], batchIndices: [0, 0] }, { featmapStrides: [4] });
    expect(call).to.throw(RoiAlignError).with.property('roiIndex', 1);
    tf.dispose(features);
  });

  it('rejects a batch index outside the batch and a stride count that does not match the maps', () => {
    const features = [tf.zeros<tf.Rank.R4>([1, 4, 4, 1])];
    expect(() =>
      roiAlign(features, { boxes: [0, 0, 4, 4], batchIndices: [1] }, { featmapStrides: [4] }),
    ).to.throw(RoiAlignError, /batch index 1/);
    expect(() => roiAlign(features, { boxes: [0, 0, 4, 4], batchIndices: [0] })).to.throw(
      RoiAlignError,
      /4 strides/,
    );
    tf.dispose(features);
  });

  it('returns an empty [0, 7, 7, C] for no RoIs', () => {
    const features = [tf.zeros<tf.Rank.R4>([1, 4, 4, 5])];
    const pooled = roiAlign(features, { boxes: [], batchIndices: [] }, { featmapStrides: [4] });
    expect(pooled.shape).to.deep.equal([0, 7, 7, 5]);
    tf.dispose([pooled, ...features]);
  });
});
