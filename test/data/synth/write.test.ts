import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import sharp from 'sharp';
import { loadLvisGroundTruth } from '../../../common/index.js';
import {
  ensureSynthDataset,
  planSynthDataset,
  renderPixels,
  SynthDatasetMismatchError,
  SynthOutputExistsError,
  writeSynthDataset,
} from '../../../data/internal.js';
import { makeWorkDir } from '../../harness/index.js';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('data/synth: writing a dataset', function () {
  const options = { categories: 10, trainImages: 16, valImages: 4, seed: 5 };
  let root: string;
  before(function () {
    root = makeWorkDir('synth-write');
  });

  it('writes train.json, val.json and JPEGs, byte-identical for the same seed', async function () {
    const a = await writeSynthDataset(join(root, 'a'), options);
    await writeSynthDataset(join(root, 'b'), options);
    const files = listFiles(a.dir);
    expect(files).to.include.members(['train.json', 'val.json', 'images/train2017/000000000001.jpg']);
    expect(files.filter((file) => file.endsWith('.jpg'))).to.have.length(20);
    for (const file of files) {
      expect(readFileSync(join(root, 'b', file)).equals(readFileSync(join(a.dir, file))), file).to.equal(
        true,
      );
    }
    const train = await loadLvisGroundTruth(a.files.train, { version: 'v1' });
    expect(train.images.map((image) => image.coco_url)).to.include(
      'http://synthetic.invalid/train2017/000000000001.jpg',
    );
  });

  it('encodes the planned pixels: the decoded JPEG is close to the rendered image', async function () {
    const plan = planSynthDataset(options);
    const image = plan.train[0]!;
    const jpeg = readFileSync(join(root, 'a', 'images', 'train2017', '000000000001.jpg'));
    const decoded = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect([decoded.info.width, decoded.info.height]).to.deep.equal([image.width, image.height]);
    const rendered = renderPixels(image);
    let error = 0;
    for (let i = 0; i < rendered.length; i++) error += Math.abs(rendered[i]! - decoded.data[i]!);
    expect(error / rendered.length, 'mean absolute error per channel').to.be.lessThan(4);
  });

  it('refuses a non-empty output directory and leaves it alone', async function () {
    const dir = join(root, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const error = await writeSynthDataset(dir, options).catch((failure: unknown) => failure);
    expect(error).to.be.instanceOf(SynthOutputExistsError).with.property('path', dir);
    expect(listFiles(dir)).to.deep.equal(['keep.txt']);
  });

  it('leaves nothing behind when aborted', async function () {
    const parent = join(root, 'aborted');
    mkdirSync(parent);
    const controller = new AbortController();
    const writing = writeSynthDataset(join(parent, 'ds'), options, {
      signal: controller.signal,
      onImage: (done) => done === 3 && controller.abort(new Error('stop')),
    });
    const error = await writing.catch((failure: unknown) => failure);
    expect((error as Error).message).to.equal('stop');
    expect(readdirSync(parent)).to.deep.equal([]);
  });

  it('ensureSynthDataset generates once, reuses a copy of the same recipe, refuses another recipe', async function () {
    const dir = join(root, 'ensured');
    const first = await ensureSynthDataset(dir, options);
    expect(first.created).to.equal(true);
    const recipe = JSON.parse(readFileSync(first.files.recipe, 'utf8')) as { options: object };
    expect(recipe.options).to.deep.equal({
      ...options,
      minImageSize: 160,
      maxImageSize: 320,
      maxCategoriesPerImage: 4,
    });
    const before = readFileSync(first.files.train);
    // Defaults spelled out are the same recipe.
    const again = await ensureSynthDataset(dir, { ...options, minImageSize: 160 });
    expect(again.created).to.equal(false);
    expect(readFileSync(again.files.train).equals(before)).to.equal(true);
    const error = await ensureSynthDataset(dir, { ...options, seed: 6, valImages: 5 }).catch(
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(SynthDatasetMismatchError).with.property('path', dir);
    expect((error as SynthDatasetMismatchError).differences).to.deep.equal(['valImages', 'seed']);
    const other = join(root, 'not-synth');
    mkdirSync(other);
    writeFileSync(join(other, 'keep.txt'), 'mine');
    const refused = await ensureSynthDataset(other, options).catch((failure: unknown) => failure);
    expect(refused).to.be.instanceOf(SynthOutputExistsError);
  });
});
