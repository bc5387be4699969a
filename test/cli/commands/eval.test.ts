import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { LVIS_METRIC_KEYS } from '../../../data/internal.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Two images, a frequent and a rare category; the detections find both cats and half the dogs. */
const groundTruth = {
  images: [
    {
      id: 1,
      height: 100,
      width: 100,
      neg_category_ids: [],
      not_exhaustive_category_ids: [],
      coco_url: 'a.jpg',
    },
    {
      id: 2,
      height: 100,
      width: 100,
      neg_category_ids: [2],
      not_exhaustive_category_ids: [],
      coco_url: 'b.jpg',
    },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], area: 900 },
    { id: 2, image_id: 1, category_id: 2, bbox: [50, 50, 40, 40], area: 1600 },
    { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 60, 60], area: 3600 },
  ],
  categories: [
    { id: 1, name: 'dog', frequency: 'f', image_count: 200, instance_count: 400 },
    { id: 2, name: 'cat', frequency: 'r', image_count: 3, instance_count: 3 },
  ],
};
const detections = [
  { image_id: 1, category_id: 1, bbox: [10, 10, 30, 30], score: 0.9 },
  { image_id: 1, category_id: 2, bbox: [50, 50, 40, 40], score: 0.8 },
  { image_id: 2, category_id: 1, bbox: [70, 70, 20, 20], score: 0.7 },
];

describe('baclctl eval', function () {
  this.timeout(30_000);
  let dir: string;
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  before(function () {
    process.env.NODE_ENV = 'test';
    dir = mkdtempSync(join(tmpdir(), 'bacl-cli-eval-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one JSON object with exactly the official key names with -o json', async function () {
    const { stdout, error } = await runCommand(
      ['eval', '--gt', file('gt.json', groundTruth), '--results', file('dt.json', detections), '-o', 'json'],
      { root },
    );
    expect(error).to.equal(undefined);
    const metrics = JSON.parse(stdout) as Record<string, number>;
    expect(Object.keys(metrics)).to.deep.equal([...LVIS_METRIC_KEYS]);
    // The rare category (cat) is found exactly; one of two dogs is found: APr = 1, APf between 0 and 1,
    // and no common category exists, so APc is undefined (-1).
    expect(metrics.APr).to.be.closeTo(1, 1e-9); // lvis-api prints 0.9999999999999998 too (101-point sums)
    expect(metrics.APc).to.equal(-1);
    expect(metrics.APf).to.be.greaterThan(0).and.lessThan(1);
  });

  it('prints a table grouped by frequency by default', async function () {
    const { stdout } = await runCommand(
      ['eval', '--gt', file('gt.json', groundTruth), '--results', file('dt.json', detections)],
      { root },
    );
    const rows = stdout.trim().split('\n');
    expect(rows.map((row) => row.slice(0, 13).trim())).to.deep.equal([
      'AP',
      'by size',
      'by frequency',
      'recall',
    ]);
    expect(rows[2]).to.match(/APr\s+100\.0\s+APc\s+-\s+APf\s+\d+\.\d/);
  });

  it('answers a missing file with exit 3 and names it', async function () {
    const { error } = await runCommand(
      ['eval', '--gt', join(dir, 'nope.json'), '--results', join(dir, 'x.json')],
      {
        root,
      },
    );
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.message).to.contain(join(dir, 'nope.json'));
  });

  it('answers a detection with an unknown category with exit 4, naming the detection', async function () {
    const bad = [...detections, { image_id: 2, category_id: 99, bbox: [1, 1, 5, 5], score: 0.5 }];
    const { error } = await runCommand(
      ['eval', '--gt', file('gt.json', groundTruth), '--results', file('bad.json', bad)],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.code).to.equal('DATA_INVALID');
    expect(error?.message).to.match(/\[3\]/);
    expect(error?.message).to.contain('99');
  });

  it('answers a truncated results file with exit 4 and the file name', async function () {
    const { error } = await runCommand(
      [
        'eval',
        '--gt',
        file('gt.json', groundTruth),
        '--results',
        file('cut.json', JSON.stringify(detections).slice(0, 40)),
      ],
      { root },
    );
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.message).to.contain(join(dir, 'cut.json'));
  });

  it('gives the same bits with --threads 1 and --threads 2', async function () {
    const args = ['eval', '--gt', file('gt.json', groundTruth), '--results', file('dt.json', detections)];
    const one = await runCommand([...args, '-o', 'json', '--threads', '1'], { root });
    const two = await runCommand([...args, '-o', 'json', '--threads', '2'], { root });
    expect(one.error).to.equal(undefined);
    expect(two.error).to.equal(undefined);
    expect(two.stdout).to.equal(one.stdout);
    const refused = await runCommand([...args, '--threads', '0'], { root });
    expect(refused.error?.message).to.contain('--threads');
  });

  it('warns with a count when boxes reach past their image, and still evaluates them', async function () {
    const outside = [
      ...detections,
      { image_id: 1, category_id: 1, bbox: [90, 10, 30, 30], score: 0.2 },
      { image_id: 2, category_id: 1, bbox: [-5, 0, 60, 60], score: 0.1 },
    ];
    const { stdout, stderr, error } = await runCommand(
      ['eval', '--gt', file('gt.json', groundTruth), '--results', file('out.json', outside), '-o', 'json'],
      { root },
    );
    expect(error).to.equal(undefined);
    expect(stderr).to.contain('2 detections have a box reaching past their image');
    expect(stderr).to.contain(`${join(dir, 'out.json')} [3]`);
    expect(Object.keys(JSON.parse(stdout) as object)).to.deep.equal([...LVIS_METRIC_KEYS]);
  });
});
