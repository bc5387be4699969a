import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { makeWorkDir } from '../../../harness/index.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

describe('baclctl data synth', function () {
  this.timeout(30_000);
  let dir: string;
  before(function () {
    process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
    dir = makeWorkDir('cli-synth');
  });

  const synth = (...args: string[]) => runCommand(['data', 'synth', ...args], { root });
  const small = [
    '--categories',
    '6',
    '--train-images',
    '12',
    '--val-images',
    '3',
    '--min-image-size',
    '96',
    '--max-image-size',
    '128',
  ];

  it('writes the dataset and summarises it; the same seed gives the same files', async function () {
    const { stdout, error } = await synth('--out', join(dir, 'a'), ...small, '--seed', '3');
    expect(error).to.equal(undefined);
    expect(stdout).to.match(
      /Wrote .*a: 12 train and 3 val images, \d+ annotations, categories r\/c\/f \d+\/\d+\/0\./,
    );
    await synth('--out', join(dir, 'b'), ...small, '--seed', '3');
    for (const file of ['train.json', 'val.json', 'images/val2017/000000000013.jpg']) {
      expect(readFileSync(join(dir, 'b', file)).equals(readFileSync(join(dir, 'a', file))), file).to.equal(
        true,
      );
    }
  });

  it('prints the summary as JSON with --json', async function () {
    const { stdout } = await synth('--out', join(dir, 'json'), ...small, '--json');
    expect(JSON.parse(stdout)).to.include({ trainImages: 12, valImages: 3, dir: join(dir, 'json') });
  });

  it('answers impossible options with exit 2, code USAGE and the option named', async function () {
    const { error } = await synth(
      '--out',
      join(dir, 'bad'),
      '--categories',
      '500',
      '--train-images',
      '10',
      '--val-images',
      '0',
    );
    expect(error?.oclif?.exit).to.equal(2);
    expect(error?.code).to.equal('USAGE');
    expect(error?.message).to.contain('categories: 500 is not an integer in [1, 400]');
  });

  it('refuses to overwrite a non-empty directory (exit 1, ALREADY_EXISTS)', async function () {
    const taken = join(dir, 'taken');
    mkdirSync(taken);
    writeFileSync(join(taken, 'x'), '');
    const { error } = await synth('--out', taken, ...small);
    expect(error?.oclif?.exit).to.equal(1);
    expect(error?.code).to.equal('ALREADY_EXISTS');
    expect((error as { suggestions?: string[] } | undefined)?.suggestions).to.have.length(1);
  });

  it("--config writes the dataset a synth config names (tiny's data.synth, overridable with --set)", async function () {
    const out = join(dir, 'from-config');
    const { stdout, error } = await synth(
      '--out',
      out,
      '--config',
      'tiny',
      '--set',
      'data.synth.train_images=20',
      '--set',
      'data.synth.val_images=2',
      '--json',
    );
    expect(error).to.equal(undefined);
    expect(JSON.parse(stdout)).to.include({ trainImages: 20, valImages: 2 });
    const recipe = JSON.parse(readFileSync(join(out, 'synth.json'), 'utf8')) as {
      options: Record<string, number>;
    };
    expect(recipe.options).to.include({
      categories: 12,
      trainImages: 20,
      minImageSize: 96,
      maxImageSize: 128,
    });
  });

  it('refuses --config with recipe flags, a config without data.synth, and a recipe without its sizes', async function () {
    const mixed = await synth('--out', join(dir, 'mixed'), '--config', 'tiny', '--categories', '3');
    expect(mixed.error?.code).to.equal('USAGE');
    expect(mixed.error?.message).to.contain('--categories cannot be combined with --config');
    const lvis = await synth('--out', join(dir, 'lvis'), '--config', 'lvis_v1');
    expect(lvis.error?.code).to.equal('USAGE');
    expect(lvis.error?.message).to.contain('has no data.synth');
    const bare = await synth('--out', join(dir, 'bare'), '--categories', '3');
    expect(bare.error?.code).to.equal('USAGE');
    expect(bare.error?.message).to.contain('missing --train-images, --val-images');
  });

  it('lists examples in its help', async function () {
    const { stdout } = await runCommand(['data', 'synth', '--help'], { root });
    expect(stdout).to.contain('EXAMPLES');
    expect(stdout).to.contain('$ baclctl data synth --out ./tiny --categories 24');
  });
});
