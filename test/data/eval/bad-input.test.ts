import { expect } from 'chai';
import { LvisFormatError, LvisReferenceError, parseLvisGroundTruth } from '../../../common/internal.js';
import {
  detectionTargets,
  evaluateLvis,
  ResultsTokenizer,
  type DetectionInput,
} from '../../../data/internal.js';
import { annotation, detection, image, microCategories } from './builders.js';

const gt = parseLvisGroundTruth({
  images: [image(1), image(2)],
  annotations: [annotation(1, 1, 1, [10, 10, 20, 20])],
  categories: microCategories(),
});
const good = detection(1, 1, [10, 10, 20, 20], 0.9);

function errorFor(bad: unknown): LvisFormatError {
  const results = [good, good, bad] as DetectionInput[];
  try {
    evaluateLvis(gt, results, { resultsSource: 'detections.json' });
  } catch (error) {
    expect(error).to.be.instanceOf(LvisFormatError);
    return error as LvisFormatError;
  }
  throw new Error('expected evaluateLvis to refuse the results');
}

describe('data/eval bad input', function () {
  it('refuses a detection on an image that is not in the ground truth', function () {
    const error = errorFor(detection(3, 1, [0, 0, 1, 1], 0.5));
    expect(error).to.be.instanceOf(LvisReferenceError);
    expect(error.message).to.equal(
      'detections.json: [2].image_id: image 3 is not in the ground truth. ' +
        'Evaluate against the annotation file the detections were made for (v0.5 and v1 val differ).',
    );
  });

  it('refuses an unknown category (lvis-api would drop it silently)', function () {
    const error = errorFor(detection(1, 0, [0, 0, 1, 1], 0.5));
    expect(error).to.be.instanceOf(LvisReferenceError);
    expect(error.jsonPath).to.equal('[2].category_id');
    expect(error.hint).to.contain('not class indices');
  });

  it('refuses non-finite scores', function () {
    for (const score of [Number.NaN, Infinity, -Infinity, '0.5']) {
      const error = errorFor({ ...good, score });
      expect(error.jsonPath, String(score)).to.equal('[2].score');
      expect(error.problem).to.contain('is not a finite number');
    }
  });

  it('refuses malformed boxes and names what is wrong', function () {
    const cases: Array<[unknown, string]> = [
      [[0, 0, 1], 'bbox is not a list of 4 numbers'],
      [[0, 0, 1, 1, 1], 'bbox is not a list of 4 numbers'],
      ['0,0,1,1', 'bbox is not a list of 4 numbers'],
      [[0, Number.NaN, 1, 1], 'bbox[1] is not a finite number'],
      [[0, 0, '1', 1], 'bbox[2] is not a finite number'],
      [[0, 0, 1, -1], 'bbox has a negative width or height'],
    ];
    for (const [bbox, problem] of cases) {
      const error = errorFor({ ...good, bbox });
      expect(error.jsonPath, JSON.stringify(bbox)).to.equal('[2].bbox');
      expect(error.problem).to.equal(problem);
    }
  });

  it('refuses an image subset with an id outside the ground truth', function () {
    expect(() => evaluateLvis(gt, [good], { imageIds: [2, 9] }))
      .to.throw(LvisReferenceError)
      .with.property('jsonPath', 'imageIds[1]');
  });

  it('accepts zero-size boxes (valid, and dropped before matching as in lvis-api)', function () {
    const { metrics } = evaluateLvis(gt, [good, detection(1, 1, [10, 10, 0, 20], 0.99)]);
    expect(metrics.AP).to.equal(evaluateLvis(gt, [good]).metrics.AP);
  });

  it('refuses the same detections with the same errors when the results are streamed from a file', function () {
    const bad: unknown[] = [
      detection(3, 1, [0, 0, 1, 1], 0.5),
      detection(1, 0, [0, 0, 1, 1], 0.5),
      { ...good, bbox: [0, 0, 1] },
      { ...good, bbox: [0, 0, '1', 1] },
      { ...good, bbox: [0, 0, 1, -1] },
    ];
    for (const third of bad) {
      const inMemory = errorFor(third);
      const tokenizer = new ResultsTokenizer(detectionTargets(gt), 'detections.json');
      let streamed: unknown;
      try {
        tokenizer.push(Buffer.from(JSON.stringify([good, good, third])));
        tokenizer.finish();
      } catch (error) {
        streamed = error;
      }
      expect(streamed, JSON.stringify(third)).to.be.instanceOf(inMemory.constructor);
      const error = streamed as LvisFormatError;
      expect(error.jsonPath).to.equal(inMemory.jsonPath);
      expect(error.hint).to.equal(inMemory.hint);
      // The same problem, plus where the detection starts in the file.
      expect(error.problem).to.match(/\(the detection starts at byte \d+\)$/);
      expect(error.problem.replace(/ \(the detection starts at byte \d+\)$/, '')).to.equal(inMemory.problem);
    }
  });
});
