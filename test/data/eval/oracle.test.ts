// Oracle tests: every case runs through the official lvis package (scripts/oracles.sh installs it) and through
// evaluateLvis, on 1, 2 and 4 threads; the 13 metrics must agree within 1e-9 and the precision/recall arrays
// exactly, for every thread count.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLvisGroundTruth, loadLvisResults, parseLvisGroundTruth } from '../../../common/internal.js';
import {
  evaluateLvis,
  evaluateLvisParallel,
  loadResultsColumns,
  detectionTargets,
  LVIS_METRIC_KEYS,
  type LvisEvaluation,
} from '../../../data/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import {
  runLvisOracleBatch,
  runLvisOracleOnFiles,
  type LvisOracleOutput,
} from '../../harness/lvis-oracle.js';
import { edgeCases, type EvalCase } from './edge-cases.js';
import { asV05, lvisV05Frequencies, lvisV1Frequencies, randomCase } from './random-cases.js';

const randomCases: EvalCase[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed) =>
    randomCase(`random seed ${seed}`, seed, {
      images: 10 + seed * 3,
      categories: 6 + seed,
      maxGtPerImage: 1 + (seed % 5),
      falsePositivesPerImage: seed % 4,
    }),
  ),
  randomCase('random crowded images (many gts per category)', 21, {
    images: 12,
    categories: 3,
    maxGtPerImage: 25,
    falsePositivesPerImage: 10,
  }),
  {
    ...randomCase('random with an image subset', 22, {
      images: 30,
      categories: 8,
      maxGtPerImage: 4,
      falsePositivesPerImage: 2,
    }),
  },
];
// An image subset: every third image of the random case above, in the case's (shuffled) order.
const subsetCase = randomCases.at(-1)!;
subsetCase.imageIds = subsetCase.gt.images.filter((_, i) => i % 3 === 0).map((image) => image.id);

/** 1203 categories with v1's r/c/f split; metrics only (the arrays would be 5M numbers). */
const v1ScaleCase = randomCase('LVIS v1 categories (1203, 337 r / 461 c / 405 f)', 31, {
  images: 60,
  categories: 1203,
  maxGtPerImage: 12,
  falsePositivesPerImage: 30,
  frequencies: lvisV1Frequencies(),
});

/** 1230 categories with v0.5's split and v0.5 images (file_name), read from files by the streaming loader. */
const v05Case = randomCase('LVIS v0.5 files (1230 categories, 454 r / 461 c / 315 f)', 41, {
  images: 40,
  categories: 1230,
  maxGtPerImage: 10,
  falsePositivesPerImage: 20,
  frequencies: lvisV05Frequencies(),
});

/** The thread counts every case runs with: 1 is evaluateLvis on this thread, 2 and 4 use worker threads. */
const threadCounts = [1, 2, 4];

async function ours(evalCase: EvalCase, threads: number): Promise<LvisEvaluation> {
  const gt = parseLvisGroundTruth(evalCase.gt, evalCase.name);
  const options = evalCase.imageIds ? { imageIds: evalCase.imageIds } : {};
  if (threads === 1) return evaluateLvis(gt, evalCase.results, options);
  return evaluateLvisParallel(gt, evalCase.results, { ...options, threads });
}

let maxAbsDiff = 0;
let metricsCompared = 0;

function expectSameMetrics(actual: LvisEvaluation, oracle: LvisOracleOutput): void {
  expect(Object.keys(actual.metrics), 'key names and order').to.deep.equal(Object.keys(oracle.metrics));
  expect(Object.keys(actual.metrics)).to.deep.equal([...LVIS_METRIC_KEYS]);
  for (const key of LVIS_METRIC_KEYS) {
    const diff = Math.abs(actual.metrics[key] - oracle.metrics[key]!);
    maxAbsDiff = Math.max(maxAbsDiff, diff);
    metricsCompared += 1;
    const message = `${key}: ours ${actual.metrics[key]}, oracle ${oracle.metrics[key]}`;
    expect(diff, message).to.be.at.most(1e-9); // the contract
    // Stronger, and what the port is built for (docs/adr/0006): the very same double.
    expect(Object.is(actual.metrics[key], oracle.metrics[key]), message).to.equal(true);
  }
}

/** The first index where two flat arrays differ, with both values, or undefined. */
function firstDifference(actual: ArrayLike<number>, expected: readonly number[]): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) return `index ${i}: ours ${actual[i]}, oracle ${expected[i]}`;
  }
  return undefined;
}

describe('data/eval against the official lvis package', function () {
  this.timeout(600_000);
  const cases = [...edgeCases, ...randomCases];
  let outputs: LvisOracleOutput[] = [];
  let v1Output: LvisOracleOutput | undefined;

  before(async function () {
    outputs = await runLvisOracleBatch(cases, { arrays: true });
    [v1Output] = await runLvisOracleBatch([v1ScaleCase]);
  });

  after(function () {
    console.log(`      ${metricsCompared} metrics compared, max abs diff vs lvis-api: ${maxAbsDiff}`);
  });

  it('uses the oracle thresholds exactly (including 0.8999999999999999 and 57 * 0.01)', async function () {
    const { IOU_THRESHOLDS, RECALL_THRESHOLDS } = await import('../../../data/internal.js');
    expect([...IOU_THRESHOLDS]).to.deep.equal(outputs[0]!.iou_thrs);
    expect([...RECALL_THRESHOLDS]).to.deep.equal(outputs[0]!.rec_thrs);
  });

  cases.forEach((evalCase, i) => {
    it(`case ${evalCase.name}`, async function () {
      for (const threads of threadCounts) expectSameAsOracle(await ours(evalCase, threads), i);
    });
  });

  function expectSameAsOracle(actual: LvisEvaluation, i: number): void {
    const oracle = outputs[i]!;
    expectSameMetrics(actual, oracle);
    expect(actual.categoryIds).to.deep.equal(oracle.cat_ids);
    expect([actual.frequencyGroups.r, actual.frequencyGroups.c, actual.frequencyGroups.f]).to.deep.equal(
      oracle.freq_groups,
    );
    expect(firstDifference(actual.arrays.precision, oracle.precision!.flat(3)), 'precision').to.equal(
      undefined,
    );
    expect(firstDifference(actual.arrays.recall, oracle.recall!.flat(2)), 'recall').to.equal(undefined);
  }

  it(`case ${v1ScaleCase.name}`, async function () {
    for (const threads of threadCounts) expectSameMetrics(await ours(v1ScaleCase, threads), v1Output!);
  });

  it(`case ${v05Case.name}`, async function () {
    const dir = makeWorkDir('lvis-v05');
    const gtFile = join(dir, 'lvis_v0.5_val.json');
    const resultsFile = join(dir, 'results.json');
    writeFileSync(gtFile, JSON.stringify(asV05(v05Case.gt)));
    writeFileSync(resultsFile, JSON.stringify(v05Case.results));
    const gt = await loadLvisGroundTruth(gtFile, { version: 'v0.5', chunkBytes: 64 * 1024 });
    const results = await loadLvisResults(resultsFile, { chunkBytes: 64 * 1024 });
    const oracle = await runLvisOracleOnFiles(gtFile, resultsFile);
    expectSameMetrics(evaluateLvis(gt, results), oracle);
    // The streaming reader's columns, on every thread count.
    const targets = detectionTargets(gt);
    const columns = await loadResultsColumns(resultsFile, targets, { chunkBytes: 64 * 1024 });
    for (const threads of threadCounts) {
      expectSameMetrics(await evaluateLvisParallel(gt, columns, { threads, targets }), oracle);
    }
  });
});
