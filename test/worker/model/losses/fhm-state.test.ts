// FHM's per-class running statistics (spec 3.4): first sight initialises, later steps move by β = 0.1, the
// variance is the unbiased per-dimension one, absent classes stay as they were.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { classMoments, FhmState, LossShapeError } from '../../../../worker/internal.js';
import { expectClose, useCpuBackend, values } from '../../tf/helpers.js';

describe('FHM per-class statistics (spec 3.4)', () => {
  let state: FhmState;
  before(useCpuBackend);
  beforeEach(() => (state = new FhmState(3, 2)));
  afterEach(() => state.dispose());

  it('computes per-class means and unbiased variances (0 for a single sample)', () => {
    tf.tidy(() => {
      // Class 0: [1,2], [3,2], [5,8] → mean [3, 4]; squared deviations [4+0+4, 4+4+16] / (3 − 1) = [4, 12].
      // Class 2: [4, −1] alone → variance 0.
      const embeddings = tf.tensor2d([
        [1, 2],
        [4, -1],
        [3, 2],
        [5, 8],
      ]);
      const moments = classMoments(embeddings, [0, 2, 0, 0], 3);
      expect(Array.from(moments.classes)).to.deep.equal([0, 2]);
      expect(Array.from(moments.counts)).to.deep.equal([3, 1]);
      expectClose(values(moments.means), [3, 4, 4, -1], 1e-6, 'means');
      expectClose(values(moments.variances), [4, 12, 0, 0], 1e-5, 'variances');
    });
  });

  it('initialises on first sight, then moves by β·batch + (1 − β)·old; absent classes are unchanged', () => {
    tf.tidy(() => {
      state.observe(
        tf.tensor2d([
          [1, 2],
          [4, -1],
          [3, 2],
          [5, 8],
        ]),
        [0, 2, 0, 0],
      );
      expectClose(values(state.means), [3, 4, 0, 0, 4, -1], 1e-6, 'means after step 1');
      expectClose(values(state.variances), [4, 12, 0, 0, 0, 0], 1e-5, 'variances after step 1');
      expect(Array.from(state.used)).to.deep.equal([1, 0, 1]);
      // Step 2: class 0 sees [13,4] twice (mean [13,4], variance 0): μ = .1·[13,4] + .9·[3,4] = [4, 4],
      // v = .1·0 + .9·[4, 12] = [3.6, 10.8]. Class 1 is new: μ = [2, 2], v = 0. Class 2 is absent.
      state.observe(
        tf.tensor2d([
          [13, 4],
          [2, 2],
          [13, 4],
        ]),
        Int32Array.from([0, 1, 0]),
      );
      expectClose(values(state.means), [4, 4, 2, 2, 4, -1], 1e-5, 'means after step 2');
      expectClose(values(state.variances), [3.6, 10.8, 0, 0, 0, 0], 1e-5, 'variances after step 2');
      expect(Array.from(state.used)).to.deep.equal([1, 1, 1]);
    });
  });

  it('round-trips through snapshot() and restore()', async () => {
    tf.tidy(() => state.observe(tf.tensor2d([[1, 2]]), [1]));
    const snapshot = await state.snapshot();
    const copy = FhmState.fromSnapshot(snapshot);
    expect(values(copy.means)).to.deep.equal(values(state.means));
    expect(values(copy.variances)).to.deep.equal(values(state.variances));
    expect(Array.from(copy.used)).to.deep.equal([0, 1, 0]);
    expect(() => copy.restore({ ...snapshot, featureDim: 3 })).to.throw(LossShapeError, /featureDim 2/);
    copy.dispose();
  });

  it('rejects embeddings of the wrong width or count', () => {
    tf.tidy(() => {
      expect(() => state.observe(tf.tensor2d([[1, 2, 3]]), [0])).to.throw(LossShapeError, /\[M, 2\]/);
      expect(() => state.observe(tf.tensor2d([[1, 2]]), [0, 1])).to.throw(LossShapeError, /M = 2/);
    });
  });
});
