// The results file read in byte ranges (docs/adr/0039): for every cut position, and for records straddling
// it, the joined ranges are the sequential reader's columns bit for bit; a range start guessed inside an extra
// field, and every kind of bad input, fall back to the sequential reader, so the result or the error (record,
// field, byte offset) is the one it gives; and the whole evaluation through reader threads equals the
// in-memory one for every thread count.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LvisReadError, LvisReferenceError, parseLvisGroundTruth } from '../../../common/internal.js';
import {
  BoundaryScanner,
  detectionTargets,
  evaluateLvis,
  evaluateLvisFiles,
  joinRanges,
  loadResultsColumns,
  planRanges,
  readResultsRange,
  startRangeReaders,
  type DetectionColumns,
  type LvisEvaluation,
  type RangeColumns,
} from '../../../data/internal.js';
import { makeWorkDir } from '../../harness/index.js';
import { annotation, detection, image, microCategories, seededRandom } from './builders.js';
import { randomCase } from './random-cases.js';

const gtValue = {
  images: [image(1), image(2), image(7)],
  annotations: [annotation(1, 1, 1, [10, 10, 20, 20])],
  categories: microCategories(),
};
const gt = parseLvisGroundTruth(gtValue);
const targets = detectionTargets(gt);
const dir = makeWorkDir('results-ranges');
let files = 0;

function fileWith(text: string | Buffer): string {
  const file = join(dir, `results-${files++}.json`);
  writeFileSync(file, text);
  return file;
}

/** The ranges cut at `cuts` (ascending, inside the file), each read on this thread in chunks of `chunk`. */
function readCut(file: string, size: number, cuts: number[], chunk: number): RangeColumns[] {
  const bounds = [0, ...cuts, size];
  return bounds.slice(0, -1).map((cut, i) =>
    readResultsRange({
      file,
      cut,
      stopAt: i + 2 < bounds.length ? bounds[i + 1]! : Infinity,
      chunkBytes: chunk,
    }),
  );
}

function expectSameColumns(actual: DetectionColumns, wanted: DetectionColumns, what: string): void {
  expect(actual.count, what).to.equal(wanted.count);
  for (const key of ['imageIndex', 'categoryIndex', 'score', 'boxes'] as const) {
    const a = actual[key];
    const b = wanted[key];
    expect(a.length, `${what}: ${key} length`).to.equal(b.length);
    for (let i = 0; i < b.length; i++) {
      if (!Object.is(a[i], b[i])) expect.fail(`${what}: ${key}[${i}] is ${a[i]}, sequentially ${b[i]}`);
    }
  }
  expect(actual.outsideImage, what).to.deep.equal(wanted.outsideImage);
}

function expectSameEvaluation(actual: LvisEvaluation, wanted: LvisEvaluation, what: string): void {
  for (const [key, value] of Object.entries(wanted.metrics)) {
    expect(Object.is(actual.metrics[key as keyof typeof actual.metrics], value), `${what}: ${key}`).to.equal(
      true,
    );
  }
  for (const key of ['precision', 'recall'] as const) {
    const a = actual.arrays[key];
    const b = wanted.arrays[key];
    for (let i = 0; i < b.length; i++) {
      if (!Object.is(a[i], b[i])) expect.fail(`${what}: ${key}[${i}] is ${a[i]}, in memory ${b[i]}`);
    }
  }
  expect(actual.outsideImage, what).to.deep.equal(wanted.outsideImage);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Awkward but valid: whitespace, key orders, extra fields (braces in strings, nested), -0, 17 digits; no ",{" inside a detection. */
const awkwardText = ` \n[ {"image_id":1,"category_id":2,"bbox":[1.5,2.25,30.125,40],"score":0.12345678901234568},
  { "score" : 0.5 , "bbox" : [ -0.5 , 0 , 1e-7 , 641 ] , "category_id" : 4 , "image_id" : 7 , "note" : "a {b}, c" },
  {"image_id":2,"category_id":1,"bbox":[0,0,1,1],"score":-0,"extra":{"x":[{"y":"}"},1,2]}},
  {"image_id":7,"category_id":3,"bbox":[639.9999999999999,0.30000000000000004,1e22,2.5e-3],"score":0.5},
  {"image_id":1,"category_id":1,"bbox":[10,10,20,20],"score":0.5}
]  \n`;

/** Extra fields holding arrays of objects: ",{" inside a detection, where a range's guess can go wrong. */
const trickyText = JSON.stringify([
  detection(1, 1, [1, 2, 3, 4], 0.25),
  { ...detection(2, 2, [5, 6, 7, 8], 0.75), parts: [{ a: 1 }, { b: [{ c: 2 }, { d: 3 }] }] },
  { ...detection(7, 3, [9, 10, 11, 12], 0.5), text: ',{"image_id":1}' },
  detection(1, 4, [13, 14, 15, 16], 0.125),
]);

describe('data/eval results read in byte ranges', function () {
  // Reader threads start under tsx (about a second each on a loaded 2-core machine).
  this.timeout(300_000);
  it('plans at most `parts` ranges covering the file, none shorter than asked', function () {
    expect(planRanges(100, 2, 10)).to.deep.equal([0, 50, 100]);
    expect(planRanges(100, 4, 30)).to.deep.equal([0, 33, 66, 100]);
    expect(planRanges(100, 4, 1000)).to.deep.equal([0, 100]);
    expect(planRanges(0, 3, 1)).to.deep.equal([0, 0]);
    expect(planRanges(7, 3, 1)).to.deep.equal([0, 2, 4, 7]);
    // The caller's first range is lighter: it reads the ground truth first.
    expect(planRanges(160, 2, 10, 0.6)).to.deep.equal([0, 60, 160]);
    expect(planRanges(260, 3, 10, 0.6)).to.deep.equal([0, 60, 160, 260]);
  });

  it('guesses a range start at a comma followed by whitespace and an opening brace, across reads', function () {
    const scanner = new BoundaryScanner();
    expect(scanner.feed(Buffer.from('5,"a":[1,2],'), 100)).to.equal(-1);
    expect(scanner.feed(Buffer.from(' \n'), 112)).to.equal(-1);
    expect(scanner.feed(Buffer.from('\t{"x"'), 114)).to.equal(111);
    expect(scanner.brace).to.equal(115);
    expect(new BoundaryScanner().feed(Buffer.from('},5,{'), 0)).to.equal(3);
    expect(new BoundaryScanner().feed(Buffer.from(',x{,{'), 0)).to.equal(3);
  });

  it('joins two ranges into the sequential columns at every cut position, in chunks of 1 to 64 bytes', async function () {
    const file = fileWith(awkwardText);
    const size = Buffer.byteLength(awkwardText);
    const wanted = await loadResultsColumns(file, targets);
    expect(wanted.count).to.equal(5);
    for (const chunk of [1, 3, 64]) {
      for (let cut = 1; cut < size; cut++) {
        const ranges = readCut(file, size, [cut], chunk);
        const joined = joinRanges(ranges, targets);
        expect(joined, `cut ${cut}, chunks of ${chunk}`).to.not.equal(undefined);
        expectSameColumns(joined!, wanted, `cut ${cut}, chunks of ${chunk}`);
      }
    }
  });

  it('joins three ranges at every pair of cuts, records straddling either', async function () {
    const file = fileWith(awkwardText);
    const size = Buffer.byteLength(awkwardText);
    const wanted = await loadResultsColumns(file, targets);
    for (let first = 1; first < size; first += 11) {
      for (let second = first + 1; second < size; second += 13) {
        const ranges = readCut(file, size, [first, second], 16);
        const joined = joinRanges(ranges, targets);
        expect(joined, `cuts ${first}, ${second}`).to.not.equal(undefined);
        expectSameColumns(joined!, wanted, `cuts ${first}, ${second}`);
      }
    }
  });

  it('refuses to join when a guess lands inside an extra field; the caller reads sequentially', async function () {
    const file = fileWith(trickyText);
    const size = Buffer.byteLength(trickyText);
    const wanted = await loadResultsColumns(file, targets);
    let refused = 0;
    for (let cut = 1; cut < size; cut++) {
      const joined = joinRanges(readCut(file, size, [cut], 8), targets);
      if (joined === undefined) refused += 1;
      else expectSameColumns(joined, wanted, `cut ${cut}`);
    }
    expect(refused, 'cuts whose guess is inside an extra field').to.be.greaterThan(0);
    for (const minRangeBytes of [1, 40]) {
      const ranged = await evaluateLvisFiles(fileWith(JSON.stringify(gtValue)), file, {
        threads: 3,
        minRangeBytes,
      });
      const inMemory = evaluateLvis(gt, JSON.parse(trickyText) as never);
      expectSameEvaluation(ranged, inMemory, `tricky, ranges of >= ${minRangeBytes} bytes`);
    }
  });

  it('reports a problem in a range, never a wrong column, for anything the sequential reader refuses', function () {
    const good = JSON.stringify(detection(1, 1, [0, 0, 1, 1], 0.5));
    const bad = [
      `[${good},${good},{"image_id":1.5,"category_id":1,"bbox":[0,0,1,1],"score":1}]`,
      `[${good},${good},{"image_id":"1","category_id":1,"bbox":[0,0,1,1],"score":1}]`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,-1,1],"score":1}]`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1],"score":1}]`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1e400}]`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1,1]}]`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1}`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1}] x`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":01}]`,
      `[${good},${good},{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":1},]`,
    ];
    for (const text of bad) {
      const file = fileWith(text);
      for (let cut = 1; cut < text.length; cut += 7) {
        const ranges = readCut(file, text.length, [cut], 5);
        expect(joinRanges(ranges, targets), `${text} cut at ${cut}`).to.equal(undefined);
      }
    }
  });

  it('names the record, field and byte of bad input exactly as the sequential reader, whatever the ranges', async function () {
    const gtFile = fileWith(JSON.stringify(gtValue));
    const detections = Array.from({ length: 60 }, (_, i) =>
      detection(1 + (i % 2), 1 + (i % 4), [i, 2, 3, 4], i / 60),
    );
    const texts = [
      JSON.stringify([...detections.slice(0, 40), detection(3, 1, [0, 0, 1, 1], 0.5), ...detections]),
      JSON.stringify([...detections, detection(1, 9, [0, 0, 1, 1], 0.5)]),
      `${JSON.stringify(detections).slice(0, -1)},{"image_id":1,"category_id":1,"bbox":[0,0,1,1],"score":.5}]`,
      JSON.stringify(detections).slice(0, -40),
      `${JSON.stringify(detections)},`,
    ];
    for (const text of texts) {
      const file = fileWith(text);
      const sequential = await rejection(evaluateLvisFiles(gtFile, file, { threads: 1 }));
      expect(sequential.message).to.match(/\[\d+\]|byte \d+/);
      const ranged = await rejection(evaluateLvisFiles(gtFile, file, { threads: 3, minRangeBytes: 1 }));
      expect(ranged.constructor, sequential.message).to.equal(sequential.constructor);
      expect(ranged.message).to.equal(sequential.message);
      // Every cut of two ranges on this thread: a problem, never columns.
      for (let cut = 1; cut < text.length; cut += 11) {
        expect(joinRanges(readCut(file, text.length, [cut], 64), targets), `cut ${cut}`).to.equal(undefined);
      }
    }
    const unknownImage = await rejection(evaluateLvisFiles(gtFile, fileWith(texts[0]!), { threads: 2 }));
    expect(unknownImage).to.be.instanceOf(LvisReferenceError);
    expect(unknownImage.message).to.contain('[40].image_id: image 3 is not in the ground truth');
  });

  it('reports a wrong --gt first, and a missing results file as the sequential reader does', async function () {
    const results = fileWith(`${JSON.stringify([detection(1, 1, [0, 0, 1, 1], 0.5)])} x`);
    const wrongGt = await rejection(
      evaluateLvisFiles(join(dir, 'no-gt.json'), results, { threads: 2, minRangeBytes: 1 }),
    );
    expect(wrongGt).to.be.instanceOf(LvisReadError);
    expect(wrongGt.message).to.contain('no-gt.json');
    const gtFile = fileWith(JSON.stringify(gtValue));
    const missing = await rejection(
      evaluateLvisFiles(gtFile, join(dir, 'no-results.json'), { threads: 2, minRangeBytes: 1 }),
    );
    expect(missing).to.be.instanceOf(LvisReadError);
    expect(missing.message).to.contain('no-results.json');
    expect(startRangeReaders(join(dir, 'no-results.json'), 2, { minRangeBytes: 1 })).to.equal(undefined);
  });

  it('evaluates through reader threads exactly as in memory, score ties across ranges included, for 2 to 5 threads', async function () {
    const evalCase = randomCase('ranges', 5, {
      images: 40,
      categories: 12,
      maxGtPerImage: 6,
      falsePositivesPerImage: 8,
    });
    // Ties: every third detection takes one of four scores, so equal scores sit in different ranges.
    const random = seededRandom(9);
    const results = evalCase.results.map((d, i) =>
      i % 3 === 0 ? { ...d, score: [0.5, 0.25, 0.75, 0.125][Math.floor(random() * 4)]! } : d,
    );
    const gtFile = fileWith(JSON.stringify(evalCase.gt));
    const file = fileWith(JSON.stringify(results, null, 3));
    const inMemory = evaluateLvis(parseLvisGroundTruth(evalCase.gt), results);
    for (const [threads, minRangeBytes] of [
      [2, 1],
      [3, 997],
      [5, 1],
    ] as const) {
      const ranged = await evaluateLvisFiles(gtFile, file, { threads, minRangeBytes });
      expectSameEvaluation(ranged, inMemory, `${threads} threads, ranges of >= ${minRangeBytes} bytes`);
    }
    const readers = startRangeReaders(file, 3, { minRangeBytes: 1, chunkBytes: 100 })!;
    const ranges = [readResultsRange(readers.first), ...(await readers.others)];
    expect(ranges.map((range) => range.problem)).to.deep.equal([undefined, undefined, undefined]);
    expect(ranges.reduce((sum, range) => sum + range.count, 0)).to.equal(results.length);
  });
});
