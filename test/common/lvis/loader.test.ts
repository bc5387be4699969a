import { expect } from 'chai';
import {
  LvisFormatError,
  LvisJsonSyntaxError,
  LvisReadError,
  LvisReferenceError,
  loadLvisGroundTruth,
  loadLvisResults,
  parseLvisGroundTruth,
  parseLvisResults,
  readLvisGroundTruth,
} from '../../../common/internal.js';
import { inPieces, smallGroundTruth, writeTemp } from './fixtures.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('common/lvis/loader', function () {
  it('loads a ground-truth file, dropping segmentation unless asked to keep it', async function () {
    const file = writeTemp('gt.json', smallGroundTruth());
    const gt = await loadLvisGroundTruth(file, { chunkBytes: 16 });
    expect(gt.images.map((image) => image.id)).to.deep.equal([1, 2]);
    expect(gt.annotations).to.have.length(3);
    expect(gt.annotations[0]).to.not.have.property('segmentation');
    expect(gt.categories[2]!.frequency).to.equal('f');
    expect(gt.licenses).to.deep.equal([{ id: 1, name: 'CC BY 4.0' }]);
    const kept = await loadLvisGroundTruth(file, { keepSegmentation: true });
    expect(kept.annotations[0]!.segmentation).to.deep.equal([[10, 10, 30, 10, 30, 30]]);
  });

  it('reads the same ground truth from a byte stream as from the parsed value', async function () {
    const value = smallGroundTruth();
    const streamed = await readLvisGroundTruth(
      inPieces(Buffer.from(JSON.stringify(value)), 3),
      's3://b/gt.json',
      {
        keepSegmentation: true,
      },
    );
    expect(streamed).to.deep.equal(parseLvisGroundTruth(value));
  });

  it('checks version-specific image fields', function () {
    const value = smallGroundTruth();
    expect(() => parseLvisGroundTruth(value, 'gt.json', { version: 'v1' })).to.not.throw();
    const error = thrown(() => parseLvisGroundTruth(value, 'gt.json', { version: 'v0.5' }));
    expect(error).to.be.instanceOf(LvisFormatError);
    expect((error as LvisFormatError).jsonPath).to.equal('images[0].file_name');
  });

  it('names the file, the JSON path and the fix for a value of the wrong type', async function () {
    const value = smallGroundTruth();
    (value.annotations[1] as { bbox: unknown }).bbox = [0, 0, '5', 5];
    const file = writeTemp('gt.json', value);
    const error = await rejection(loadLvisGroundTruth(file));
    expect(error).to.be.instanceOf(LvisFormatError);
    expect((error as LvisFormatError).file).to.equal(file);
    expect((error as LvisFormatError).jsonPath).to.equal('annotations[1].bbox[2]');
    expect(error.message).to.contain(`${file}: annotations[1].bbox[2]: Invalid input: expected number`);
    expect(error.message).to.contain('A box is [x, y, width, height]');
    expect(error.cause).to.be.an('error');
  });

  it('requires neg_category_ids and says to write [] when unknown', function () {
    const value = smallGroundTruth();
    delete (value.images[1] as { neg_category_ids?: unknown }).neg_category_ids;
    const error = thrown(() => parseLvisGroundTruth(value, 'gt.json')) as LvisFormatError;
    expect(error.jsonPath).to.equal('images[1].neg_category_ids');
    expect(error.hint).to.contain('write []');
  });

  it('refuses a negative box width and a frequency outside r/c/f', function () {
    const negative = smallGroundTruth();
    negative.annotations[2]!.bbox = [1, 2, -3, 4];
    expect((thrown(() => parseLvisGroundTruth(negative)) as LvisFormatError).jsonPath).to.equal(
      'annotations[2].bbox[2]',
    );
    const frequency = smallGroundTruth();
    frequency.categories[1]!.frequency = 'x';
    expect((thrown(() => parseLvisGroundTruth(frequency)) as LvisFormatError).jsonPath).to.equal(
      'categories[1].frequency',
    );
  });

  it('reports a truncated file as a syntax error at the element where it ends', async function () {
    const text = JSON.stringify(smallGroundTruth());
    const file = writeTemp('gt.json', text.slice(0, text.indexOf('"id":3') + 10));
    const error = await rejection(loadLvisGroundTruth(file));
    expect(error).to.be.instanceOf(LvisJsonSyntaxError);
    expect((error as LvisJsonSyntaxError).jsonPath).to.equal('annotations[2]');
    expect(error.message).to.contain(file);
  });

  it('refuses annotations with an unknown category or image, and duplicate ids', function () {
    const category = smallGroundTruth();
    category.annotations[2]!.category_id = 99;
    const error = thrown(() => parseLvisGroundTruth(category, 'gt.json'));
    expect(error).to.be.instanceOf(LvisReferenceError);
    expect(error.message).to.equal(
      'gt.json: annotations[2].category_id: category 99 is not in categories. ' +
        'Add the category to categories or remove its annotations.',
    );
    const image = smallGroundTruth();
    image.annotations[0]!.image_id = 7;
    expect((thrown(() => parseLvisGroundTruth(image)) as LvisReferenceError).jsonPath).to.equal(
      'annotations[0].image_id',
    );
    const duplicate = smallGroundTruth();
    duplicate.categories[2]!.id = 1;
    expect(thrown(() => parseLvisGroundTruth(duplicate)).message).to.contain(
      'categories[2].id: id 1 is also the id of categories[0]',
    );
  });

  it('names a top-level member that is missing or not an array', function () {
    const { annotations: _annotations, ...missing } = smallGroundTruth();
    expect(thrown(() => parseLvisGroundTruth(missing, 'gt.json')).message).to.contain(
      'gt.json: $: the member "annotations" is missing',
    );
    const notArray = { ...smallGroundTruth(), images: { id: 1 } };
    const error = thrown(() => parseLvisGroundTruth(notArray, 'gt.json')) as LvisFormatError;
    expect(error.jsonPath).to.equal('images');
    expect(error.problem).to.equal('images is not an array');
  });

  it('refuses a results file given as ground truth and the other way round', async function () {
    const results = writeTemp('results.json', [
      { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 1 },
    ]);
    expect((await rejection(loadLvisGroundTruth(results))).message).to.contain('looks like a results file');
    const gt = writeTemp('gt.json', smallGroundTruth());
    expect((await rejection(loadLvisResults(gt))).message).to.contain(
      'did you pass the ground truth as results',
    );
  });

  it('loads results and names the detection with a bad score or box', async function () {
    const detections = [
      { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5, segmentation: 'kept' },
      { image_id: 1, category_id: 1, bbox: [0, 0, 1], score: 0.5 },
    ];
    const file = writeTemp('results.json', detections);
    const error = (await rejection(loadLvisResults(file))) as LvisFormatError;
    expect(error.jsonPath).to.equal('[1].bbox');
    expect(error.hint).to.contain('[x, y, width, height]');
    expect(parseLvisResults([detections[0]])).to.deep.equal([detections[0]]);
    const score = thrown(() =>
      parseLvisResults([{ ...detections[0], score: Number.NaN }]),
    ) as LvisFormatError;
    expect(score.jsonPath).to.equal('[0].score');
  });

  it('reports a truncated results file at the detection where it ends', async function () {
    const detection = { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 };
    const text = JSON.stringify([detection, detection, detection]);
    const file = writeTemp('results.json', text.slice(0, -20));
    const error = (await rejection(loadLvisResults(file, { chunkBytes: 8 }))) as LvisJsonSyntaxError;
    expect(error).to.be.instanceOf(LvisJsonSyntaxError);
    expect(error.jsonPath).to.equal('[2]');
    expect(error.byteOffset).to.equal(text.length - 20);
  });

  it('wraps a missing file in LvisReadError with the system error as cause', async function () {
    const error = await rejection(loadLvisGroundTruth('/nonexistent/gt.json'));
    expect(error).to.be.instanceOf(LvisReadError);
    expect((error.cause as NodeJS.ErrnoException).code).to.equal('ENOENT');
  });
});
