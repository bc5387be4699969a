// The model's one error family: every block's errors are ModelErrors, the shared shapes define the fields and
// the message once, and each class keeps its own name so callers can branch on the block too.
import { expect } from 'chai';
import {
  ParameterNameError,
  BoxOptionError,
  BoxShapeError,
  DetectorInputError,
  DetectorOptionError,
  ModelError,
  ModelOptionError,
  ModelShapeError,
  InferenceOptionError,
  InferenceShapeError,
  LossOptionError,
  LossShapeError,
  RoiAlignError,
  RoiHeadOptionError,
  RoiHeadShapeError,
  WeightsFormatError,
  WeightsMismatchError,
  WeightsNotFoundError,
} from '../../../worker/internal.js';

describe('worker/model/errors: one error family for the model', function () {
  const shapes = [ModelShapeError, BoxShapeError, LossShapeError, RoiHeadShapeError, InferenceShapeError];
  const options = [
    ModelOptionError,
    BoxOptionError,
    LossOptionError,
    RoiHeadOptionError,
    InferenceOptionError,
  ];

  it('makes every shape error a ModelShapeError with input, actual and expected', function () {
    for (const Shape of [...shapes, DetectorInputError]) {
      const error = new Shape('images', [2, 8, 8, 1], '[B, H, W, 3]');
      expect(error).to.be.instanceOf(ModelShapeError).and.instanceOf(ModelError).and.instanceOf(Error);
      expect(error.name).to.equal(Shape.name);
      expect(error.message).to.equal('images has shape [2, 8, 8, 1]; expected [B, H, W, 3]');
      expect(error).to.include({ input: 'images', expected: '[B, H, W, 3]' });
      expect(error.actual).to.deep.equal([2, 8, 8, 1]);
      expect(error).not.to.be.instanceOf(ModelOptionError);
    }
  });

  it('makes every option error a ModelOptionError; lists in its message read as lists', function () {
    for (const Option of [...options, DetectorOptionError]) {
      const error = new Option('frozenStages', 7, 'must be an integer from -1 to 4');
      expect(error).to.be.instanceOf(ModelOptionError).and.instanceOf(ModelError);
      expect(error.name).to.equal(Option.name);
      expect(error.message).to.equal('frozenStages = 7 is invalid: must be an integer from -1 to 4');
      expect(error).to.include({ option: 'frozenStages', value: 7 });
      expect(error).not.to.be.instanceOf(ModelShapeError);
    }
    expect(new ModelOptionError('inChannels', [], 'must be non-empty').message).to.equal(
      'inChannels = [] is invalid: must be non-empty',
    );
    expect(new ModelOptionError('strides', [4, 8], 'need one per map').message).to.contain(
      'strides = [4, 8]',
    );
    expect(new ModelOptionError('scaleFactor', new Float32Array([0.5, 2]), 'x').message).to.contain(
      '[0.5, 2]',
    );
    expect(new ModelOptionError('stage', 'baseline', 'x').message).to.contain('stage = baseline is');
  });

  it('puts the parameter store, RoIAlign and weights errors in the family, each keeping its cause', function () {
    const cause = new Error('underlying');
    const others: ModelError[] = [
      new ParameterNameError('a.weight', 'is not registered in this store', { cause }),
      new RoiAlignError('RoI 1 has a non-finite coordinate', 1, { cause }),
      new WeightsFormatError('x.safetensors', 'bad header', { cause }),
      new WeightsMismatchError(
        'x.safetensors',
        { missing: ['a'], unexpected: [], mismatched: [] },
        { cause },
      ),
      new WeightsNotFoundError('stage1/weights.json', 'dir', { cause }),
    ];
    expect(others.map((error) => error.name)).to.deep.equal([
      'ParameterNameError',
      'RoiAlignError',
      'WeightsFormatError',
      'WeightsMismatchError',
      'WeightsNotFoundError',
    ]);
    for (const error of others) {
      expect(error).to.be.instanceOf(ModelError);
      expect(error.cause).to.equal(cause);
    }
  });
});
