// `baclctl eval --visualize` end to end on the tiny config's synthetic val set (configs/tiny.yaml's recipe:
// 12 categories, rare, common and frequent in its train split): a "bacl" run that finds every val box and a
// "baseline" that misses the rare categories. Checks the files written, their content against the evaluator
// and the train split, --compare through each form the other run can take, the images read from shards
// giving the same PNG bytes as from the images directory, and the errors.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import sharp from 'sharp';
import {
  computeLvisCategoryStatistics,
  loadTrainingConfig,
  parseLvisGroundTruth,
  type LvisGroundTruth,
} from '../../../common/internal.js';
import {
  categoryColour,
  evaluateLvis,
  formatLvisMetrics,
  parseHexColour,
  parsePerCategoryFile,
  perCategoryAp,
  prepareShards,
  synthOptionsFromConfig,
  writeSynthDataset,
  type SynthDatasetSummary,
} from '../../../data/internal.js';
import { makeWorkDir, sharedS3 } from '../../harness/index.js';
import { createBucket } from '../../data/shards/fixtures.js';
import { checkXml } from '../../data/viz/xml-check.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

interface Detection {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}

/** Every val box found (shifted by up to 2 px), plus one false positive per image; `skip` categories left out. */
function detectionsFor(gt: LvisGroundTruth, skip: ReadonlySet<number>): Detection[] {
  const rows: Detection[] = gt.annotations
    .filter((annotation) => !skip.has(annotation.category_id))
    .map((annotation, i) => ({
      image_id: annotation.image_id,
      category_id: annotation.category_id,
      bbox: [annotation.bbox[0] + (i % 3), annotation.bbox[1], annotation.bbox[2], annotation.bbox[3]],
      score: 0.4 + ((i * 7) % 60) / 100,
    }));
  for (const image of gt.images) {
    rows.push({ image_id: image.id, category_id: gt.categories[0]!.id, bbox: [1, 1, 8, 8], score: 0.35 });
  }
  return rows;
}

const circlesOfRun = (svg: string, run: number) =>
  checkXml(svg).filter(
    (element) =>
      element.name === 'circle' &&
      element.ancestors.some((parent) => parent.attributes.class === `run run-${run}`),
  ).length;

describe('baclctl eval --visualize', function () {
  this.timeout(300_000);
  let dir: string;
  let synth: SynthDatasetSummary;
  let val: LvisGroundTruth;
  let bacl: string;
  let baseline: string;
  let firstOut: string;

  const evalCommand = (...args: string[]) => runCommand(['eval', ...args], { root });

  before(async function () {
    process.env.NODE_ENV = 'test';
    dir = makeWorkDir('cli-eval-visualize');
    const recipe = loadTrainingConfig('tiny').config.data.synth;
    if (recipe === undefined) throw new Error('tiny.yaml has no data.synth');
    synth = await writeSynthDataset(join(dir, 'synth'), synthOptionsFromConfig(recipe));
    val = parseLvisGroundTruth(JSON.parse(readFileSync(synth.files.val, 'utf8')), synth.files.val);
    const rare = new Set(val.categories.filter((c) => c.frequency === 'r').map((c) => c.id));
    expect(rare.size).to.be.greaterThan(0);
    for (const [name, skip] of [
      ['bacl', new Set<number>()],
      ['baseline', rare],
    ] as const) {
      mkdirSync(join(dir, name, 'eval'), { recursive: true });
      const rows = detectionsFor(val, skip);
      writeFileSync(join(dir, name, 'eval', 'detections.json'), JSON.stringify(rows));
      const { metrics } = evaluateLvis(val, rows);
      writeFileSync(join(dir, name, 'eval', 'metrics.json'), formatLvisMetrics(metrics, 'json'));
    }
    bacl = join(dir, 'bacl', 'eval', 'detections.json');
    baseline = join(dir, 'baseline', 'eval', 'detections.json');
    firstOut = join(dir, 'viz');
  });

  it('writes the PNGs, the plot and per-category.json, with training counts from train.json', async function () {
    const { stdout, error } = await evalCommand(
      '--gt',
      synth.files.val,
      '--results',
      bacl,
      '--visualize',
      firstOut,
      '--images',
      '3',
    );
    expect(error).to.equal(undefined);
    expect(stdout).to.match(/^AP\s/);
    expect(stdout).to.contain(
      `Wrote ${join(firstOut, 'ap-vs-frequency.svg')} (x: annotations of ${synth.files.train})`,
    );
    expect(stdout).to.contain(`Wrote 3 images (predictions | ground truth) to ${join(firstOut, 'images')}/`);

    // per-category.json: the evaluator's per-category AP and the train split's image counts.
    const file = parsePerCategoryFile(
      readFileSync(join(firstOut, 'per-category.json'), 'utf8'),
      'per-category.json',
    );
    const rows = JSON.parse(readFileSync(bacl, 'utf8')) as Detection[];
    const expected = perCategoryAp(evaluateLvis(val, rows));
    expect(file.categories.map((c) => [c.id, c.ap])).to.deep.equal(expected.map((c) => [c.id, c.ap]));
    const train = parseLvisGroundTruth(
      JSON.parse(readFileSync(synth.files.train, 'utf8')),
      synth.files.train,
    );
    const stats = computeLvisCategoryStatistics(train.categories, train.annotations);
    expect(file.categories.map((c) => c.trainImages)).to.deep.equal(
      stats.categories.map((s) => s.imageCount),
    );
    // The recipe has all three groups, so the bands all hold points.
    expect(new Set(file.categories.map((c) => c.frequency))).to.deep.equal(new Set(['r', 'c', 'f']));

    // The plot: one point per category with val ground truth.
    const svg = readFileSync(join(firstOut, 'ap-vs-frequency.svg'), 'utf8');
    expect(circlesOfRun(svg, 0)).to.equal(file.categories.filter((c) => c.ap > -1).length);
    expect(circlesOfRun(svg, 1)).to.equal(0);

    // The PNGs: the first three val images by id, two panels each, ground-truth boxes drawn where they are.
    const ids = val.images
      .map((image) => image.id)
      .sort((a, b) => a - b)
      .slice(0, 3);
    expect(readdirSync(join(firstOut, 'images'))).to.deep.equal(
      ids.map((id) => `${String(id).padStart(12, '0')}.png`),
    );
    for (const id of ids) {
      const image = val.images.find((candidate) => candidate.id === id)!;
      const png = join(firstOut, 'images', `${String(id).padStart(12, '0')}.png`);
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const panelWidth = Math.max(image.width, 320);
      const scale = panelWidth / image.width;
      expect(info.width).to.equal(2 * panelWidth + 8);
      expect(info.height).to.equal(22 + Math.round(image.height * scale));
      const at = (x: number, y: number) => {
        const i = (Math.round(y) * info.width + Math.round(x)) * info.channels;
        return [data[i], data[i + 1], data[i + 2]];
      };
      // Each gt box's bottom edge, midway, in the right panel, has its colour (a neighbour's tag may cover
      // one, so at least half of them must show).
      const boxes = val.annotations.filter((annotation) => annotation.image_id === id);
      const shown = boxes.filter((annotation) => {
        const [x, y, w, h] = annotation.bbox;
        const pixel = at(panelWidth + 8 + (x + w / 2) * scale, 22 + (y + h) * scale);
        return pixel.join() === parseHexColour(categoryColour(annotation.category_id)).join();
      });
      expect(boxes.length).to.be.greaterThan(0);
      expect(shown.length, `image ${id}`).to.be.at.least(Math.ceil(boxes.length / 2));
    }
  });

  it('compares with the run whose metrics.json it is given (through the detections.json beside it), JSON on stdout', async function () {
    const out = join(dir, 'viz-compare');
    const { stdout, stderr, error } = await evalCommand(
      '--gt',
      synth.files.val,
      '--results',
      bacl,
      '-o',
      'json',
      '--visualize',
      out,
      '--images',
      '0',
      '--compare',
      join(dir, 'baseline', 'eval', 'metrics.json'),
    );
    expect(error).to.equal(undefined);
    expect(Object.keys(JSON.parse(stdout) as object)).to.include('APr');
    expect(stderr).to.contain(`compared with ${baseline}`);
    expect(existsSync(join(out, 'images'))).to.equal(false);
    const svg = readFileSync(join(out, 'ap-vs-frequency.svg'), 'utf8');
    const theirs = perCategoryAp(
      evaluateLvis(val, JSON.parse(readFileSync(baseline, 'utf8')) as Detection[]),
    );
    expect(circlesOfRun(svg, 1)).to.equal(theirs.filter((c) => c.ap > -1).length);
    expect(circlesOfRun(svg, 0)).to.equal(circlesOfRun(svg, 1));
    // The baseline misses the rare categories: its rare mean line sits at 0, below BACL's.
    const means = checkXml(svg).filter((element) => element.attributes.class === 'mean mean-r');
    expect(means).to.have.length(2);
    expect(Number(means[1]!.attributes.y1)).to.be.greaterThan(Number(means[0]!.attributes.y1));
  });

  it('compares with a per-category.json and with a run directory, drawing the same points', async function () {
    const fromFile = join(dir, 'viz-vs-file');
    const fromDir = join(dir, 'viz-vs-dir');
    for (const [out, other] of [
      [fromFile, join(firstOut, 'per-category.json')],
      [fromDir, join(dir, 'bacl')],
    ] as const) {
      const { error } = await evalCommand(
        '--gt',
        synth.files.val,
        '--results',
        baseline,
        '--visualize',
        out,
        '--images',
        '0',
        '--compare',
        other,
      );
      expect(error).to.equal(undefined);
    }
    const a = readFileSync(join(fromFile, 'ap-vs-frequency.svg'), 'utf8');
    const b = readFileSync(join(fromDir, 'ap-vs-frequency.svg'), 'utf8');
    const points = (svg: string) =>
      checkXml(svg)
        .filter((e) => e.name === 'circle' && e.ancestors.some((p) => p.attributes.class === 'run run-1'))
        .map((e) => `${e.attributes.cx},${e.attributes.cy}`);
    expect(points(a)).to.deep.equal(points(b));
    expect(points(a).length).to.be.greaterThan(0);
  });

  it('reads the images from val shards beside their annotations.json: the same PNG bytes', async function () {
    const shards = join(dir, 'val-shards');
    await prepareShards({
      annotations: synth.files.val,
      images: synth.files.images,
      out: shards,
      shardBytes: 40_000,
    });
    const out = join(dir, 'viz-shards');
    const { stdout, error } = await evalCommand(
      '--gt',
      join(shards, 'annotations.json'),
      '--results',
      bacl,
      '--visualize',
      out,
      '--images',
      '3',
      '--score-thr',
      '0.3',
      '--train-gt',
      synth.files.train,
    );
    expect(error).to.equal(undefined);
    expect(stdout).to.contain(`(x: annotations of ${synth.files.train})`);
    for (const name of readdirSync(join(firstOut, 'images'))) {
      const ours = readFileSync(join(out, 'images', name));
      expect(ours.equals(readFileSync(join(firstOut, 'images', name))), name).to.equal(true);
    }
    // Without --train-gt (and no train.json beside annotations.json), x is the file's own image_count, and
    // the plot says so.
    const fallback = join(dir, 'viz-fallback');
    const second = await evalCommand(
      '--gt',
      join(shards, 'annotations.json'),
      '--results',
      bacl,
      '--visualize',
      fallback,
      '--images',
      '0',
    );
    expect(second.stdout).to.contain('not training images: pass --train-gt');
    const file = parsePerCategoryFile(readFileSync(join(fallback, 'per-category.json'), 'utf8'), 'x');
    expect(file.categories.map((c) => c.trainImages)).to.deep.equal(
      [...val.categories].sort((p, q) => p.id - q.id).map((c) => c.image_count),
    );
    expect(readFileSync(join(fallback, 'ap-vs-frequency.svg'), 'utf8')).to.contain(
      '(log scale; not training images)',
    );
  });

  it('reads the images from val shards in S3 (--images-from s3://..., settings from AWS_*)', async function () {
    const server = await sharedS3();
    const s3 = server.client();
    const saved = Object.fromEntries(
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3'].map((name) => [
        name,
        process.env[name],
      ]),
    );
    try {
      const bucket = await createBucket(s3, 'eval-visualize');
      const location = `s3://${bucket}/datasets/tiny/val`;
      await prepareShards({
        annotations: synth.files.val,
        images: synth.files.images,
        out: location,
        s3,
        shardBytes: 40_000,
      });
      process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
      process.env.AWS_ENDPOINT_URL_S3 = server.endpoint;
      const out = join(dir, 'viz-s3');
      const { error } = await evalCommand(
        '--gt',
        synth.files.val,
        '--results',
        bacl,
        '--visualize',
        out,
        '--images',
        '2',
        '--images-from',
        location,
      );
      expect(error).to.equal(undefined);
      const names = readdirSync(join(out, 'images'));
      expect(names).to.have.length(2);
      for (const name of names) {
        expect(
          readFileSync(join(out, 'images', name)).equals(readFileSync(join(firstOut, 'images', name))),
        ).to.equal(true);
      }
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      s3.destroy();
    }
  });

  it('answers what it cannot use with the right exit code and what to do', async function () {
    const lonely = join(dir, 'lonely');
    mkdirSync(lonely, { recursive: true });
    writeFileSync(join(lonely, 'metrics.json'), readFileSync(join(dir, 'bacl', 'eval', 'metrics.json')));
    const gtAlone = join(lonely, 'gt.json');
    writeFileSync(gtAlone, readFileSync(synth.files.val));
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['--compare', join(lonely, 'metrics.json'), '--images', '0'],
        3,
        /holds only the 13 aggregate metrics/,
      ],
      [['--compare', join(dir, 'nope')], 3, /no such file or directory/],
      [['--score-thr', '1.5'], 2, /--score-thr 1.5: not a number in \[0, 1\]/],
      [['--images-from', join(dir, 'no-images')], 3, /no-images: no such directory/],
      [['--train-gt', join(dir, 'no-train.json')], 3, /no-train\.json/],
    ];
    for (const [extra, exit, message] of cases) {
      const { error } = await evalCommand(
        '--gt',
        synth.files.val,
        '--results',
        bacl,
        '--visualize',
        join(dir, 'viz-errors'),
        ...extra,
      );
      expect(error?.oclif?.exit, extra.join(' ')).to.equal(exit);
      expect(error?.message).to.match(message);
    }
    // Inputs are checked before anything is written.
    expect(existsSync(join(dir, 'viz-errors'))).to.equal(false);
    // No images beside the ground truth and no --images-from: a usage error naming the flag.
    const alone = await evalCommand(
      '--gt',
      gtAlone,
      '--results',
      bacl,
      '--visualize',
      join(dir, 'viz-alone'),
    );
    expect(alone.error?.oclif?.exit).to.equal(2);
    expect(alone.error?.message).to.contain(`no val images beside ${gtAlone}`);
    // The picture flags need --visualize.
    const orphan = await evalCommand('--gt', synth.files.val, '--results', bacl, '--compare', baseline);
    expect(orphan.error?.oclif?.exit).to.equal(2);
  });
});
