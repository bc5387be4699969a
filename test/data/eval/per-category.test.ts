// Per-category AP (data/eval/per-category.ts): hand-computed cases, the r/c/f means against APr/APc/APf, and
// the official lvis package's own precision array: np.mean of each category's valid p[:, :, k, 0] entries,
// computed by numpy in the oracle venv, must be the very doubles categoryAp gives.
import { expect } from 'chai';
import { parseLvisGroundTruth } from '../../../common/internal.js';
import {
  AREA_RANGES,
  categoryAp,
  evaluateLvis,
  IOU_THRESHOLDS,
  numpyMean,
  perCategoryAp,
  RECALL_THRESHOLDS,
} from '../../../data/internal.js';
import { numpyMeans, runLvisOracleBatch, type LvisOracleOutput } from '../../harness/lvis-oracle.js';
import { annotation, category, detection, image } from './builders.js';
import type { EvalCase } from './edge-cases.js';
import { randomCase } from './random-cases.js';

function evaluate(evalCase: Pick<EvalCase, 'gt' | 'results'>) {
  return evaluateLvis(parseLvisGroundTruth(evalCase.gt, 'case'), evalCase.results);
}

/** Two images; category 1 (r) has two boxes of which one is found, 2 (c) is found exactly, 3 (f) has no gt. */
const handCase = {
  gt: {
    images: [image(1), image(2)],
    annotations: [
      annotation(1, 1, 1, [10, 10, 50, 50]),
      annotation(2, 2, 1, [100, 100, 40, 40]),
      annotation(3, 1, 2, [200, 200, 60, 30]),
    ],
    categories: [category(1, 'r'), category(2, 'c'), category(3, 'f')],
  },
  results: [
    detection(1, 1, [10, 10, 50, 50], 0.9),
    detection(1, 2, [200, 200, 60, 30], 0.8),
    detection(2, 3, [5, 5, 20, 20], 0.7),
  ],
};

describe('data/eval per-category AP', function () {
  it('gives hand-computed values: 1 for an exact find, 51/101 for one of two, -1 without ground truth', function () {
    const evaluation = evaluate(handCase);
    const aps = perCategoryAp(evaluation);
    expect(aps.map((entry) => entry.id)).to.deep.equal([1, 2, 3]);
    // One of two gts found at IoU 1 with precision 1: recall 0.5 reaches recall points 0..0.50 (51 of 101),
    // precision 0 beyond; the same at all ten IoU thresholds.
    expect(aps[0]!.ap).to.be.closeTo(51 / 101, 1e-12);
    // 1 - 2^-53 rather than 1: the precision denominator carries numpy.spacing(1), as in lvis-api.
    expect(aps[1]!.ap).to.be.closeTo(1, 1e-12).and.be.lessThanOrEqual(1);
    expect(aps[2]!.ap).to.equal(-1);
  });

  it('drops a category to 0 when its only detection misses', function () {
    const missed = { ...handCase, results: [detection(1, 2, [0, 0, 10, 10], 0.8)] };
    const aps = perCategoryAp(evaluate(missed));
    expect(aps[1]!.ap).to.equal(0);
    expect(aps[0]!.ap).to.equal(0); // gt, no detection at all
  });

  it('refuses an index outside the categories', function () {
    const evaluation = evaluate(handCase);
    expect(() => categoryAp(evaluation.arrays, 3)).to.throw(RangeError, /not in \[0, 3\)/);
    expect(() => categoryAp(evaluation.arrays, -1)).to.throw(RangeError);
  });

  it('averages, per frequency group, to APr / APc / APf (to the last bits)', function () {
    const evalCase = randomCase('per-category groups', 7, {
      images: 30,
      categories: 15,
      maxGtPerImage: 4,
      falsePositivesPerImage: 3,
    });
    const evaluation = evaluate(evalCase);
    const aps = perCategoryAp(evaluation);
    for (const group of ['r', 'c', 'f'] as const) {
      const values = evaluation.frequencyGroups[group].map((k) => aps[k]!.ap).filter((ap) => ap > -1);
      const metric = evaluation.metrics[`AP${group}`];
      if (values.length === 0) expect(metric).to.equal(-1);
      else expect(numpyMean(Float64Array.from(values))).to.be.closeTo(metric, 1e-12);
    }
  });

  describe('against the official lvis package', function () {
    this.timeout(600_000);
    const cases: EvalCase[] = [
      { name: 'hand case', ...handCase },
      ...[3, 11].map((seed) =>
        randomCase(`random seed ${seed}`, seed, {
          images: 20,
          categories: 10,
          maxGtPerImage: 5,
          falsePositivesPerImage: 4,
        }),
      ),
    ];
    let outputs: LvisOracleOutput[];

    before(async function () {
      outputs = await runLvisOracleBatch(cases, { arrays: true });
    });

    cases.forEach((evalCase, i) => {
      it(`matches np.mean(precision[:, :, k, 0][valid]) bit for bit: ${evalCase.name}`, async function () {
        const oracle = outputs[i]!;
        const areaAll = AREA_RANGES.findIndex((range) => range.label === 'all');
        const slices = oracle.cat_ids!.map((_, k) =>
          oracle
            .precision!.flatMap((byRecall) => byRecall.map((byCategory) => byCategory[k]![areaAll]!))
            .filter((value) => value > -1),
        );
        // A category with gt has all T x R entries valid, one without none.
        for (const slice of slices) {
          expect([0, IOU_THRESHOLDS.length * RECALL_THRESHOLDS.length]).to.include(slice.length);
        }
        const defined = slices.map((slice) => slice.length > 0);
        const means = await numpyMeans(slices.filter((slice) => slice.length > 0));
        const expected: number[] = [];
        let next = 0;
        for (const has of defined) expected.push(has ? means[next++]! : -1);
        const actual = perCategoryAp(evaluate(evalCase));
        expect(actual.map((entry) => entry.id)).to.deep.equal(oracle.cat_ids);
        actual.forEach((entry, k) => {
          expect(
            Object.is(entry.ap, expected[k]),
            `category ${entry.id}: ours ${entry.ap}, numpy ${expected[k]}`,
          ).to.equal(true);
        });
        expect(defined.some((has) => has)).to.equal(true);
      });
    });
  });
});
