// The random sampler: counts per the options, ascending distinct indices from the right pools, GTs added as
// proposals, and determinism under a seeded generator.
import { expect } from 'chai';
import {
  BoxOptionError,
  ROI_SAMPLER,
  RPN_SAMPLER,
  sampleRandom,
  type Assignment,
} from '../../../../worker/internal.js';
import { seededRng } from '../../../../common/index.js';

/** An assignment of `positives` boxes to GT 0, then `ignored` (−1), then `negatives` (0). */
function assignment(positives: number, ignored: number, negatives: number, gtCount = 1): Assignment {
  const gtIndex = Int32Array.from([
    ...new Array<number>(positives).fill(1),
    ...new Array<number>(ignored).fill(-1),
    ...new Array<number>(negatives).fill(0),
  ]);
  return { gtIndex, maxIou: new Float32Array(gtIndex.length), gtCount };
}

const boxesFor = (a: Assignment): Float32Array => new Float32Array(4 * a.gtIndex.length);
const isAscendingDistinct = (indices: Int32Array): boolean =>
  indices.every((v, i) => i === 0 || v > indices[i - 1]!);

describe('sampleRandom', () => {
  it('takes num·posFraction positives and fills up with negatives', () => {
    const a = assignment(300, 50, 1000);
    const sample = sampleRandom(boxesFor(a), new Float32Array(4), a, RPN_SAMPLER, seededRng(1));
    expect(sample.positives.length).to.equal(128);
    expect(sample.negatives.length).to.equal(128);
    expect(isAscendingDistinct(sample.positives) && isAscendingDistinct(sample.negatives)).to.equal(true);
    expect(sample.positives.every((i) => i < 300)).to.equal(true);
    expect(sample.negatives.every((i) => i >= 350)).to.equal(true);
    expect(Array.from(sample.positiveGt)).to.deep.equal(new Array<number>(128).fill(0));
  });

  it('fills with negatives when positives are short, and takes all when both are', () => {
    const few = assignment(10, 5, 1000);
    const sample = sampleRandom(boxesFor(few), new Float32Array(4), few, RPN_SAMPLER, seededRng(2));
    expect([sample.positives.length, sample.negatives.length]).to.deep.equal([10, 246]);
    const tiny = assignment(3, 2, 4);
    const all = sampleRandom(boxesFor(tiny), new Float32Array(4), tiny, RPN_SAMPLER, seededRng(2));
    expect([Array.from(all.positives), Array.from(all.negatives)]).to.deep.equal([
      [0, 1, 2],
      [5, 6, 7, 8],
    ]);
  });

  it('bounds negatives by negPosUpperBound · max(1, #positives)', () => {
    const a = assignment(4, 0, 500);
    const bounded = { ...RPN_SAMPLER, negPosUpperBound: 3 };
    expect(
      sampleRandom(boxesFor(a), new Float32Array(4), a, bounded, seededRng(3)).negatives.length,
    ).to.equal(12);
    const none = assignment(0, 0, 500);
    expect(
      sampleRandom(boxesFor(none), new Float32Array(4), none, bounded, seededRng(3)).negatives.length,
    ).to.equal(3);
  });

  it('puts GT boxes in front as positives of themselves', () => {
    const gt = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const a = assignment(2, 0, 600, 2);
    a.gtIndex[1] = 2;
    const sample = sampleRandom(boxesFor(a), gt, a, ROI_SAMPLER, seededRng(4), Int32Array.of(11, 22));
    expect(sample.candidates.length).to.equal(4 * 604);
    expect(Array.from(sample.candidates.subarray(0, 8))).to.deep.equal(Array.from(gt));
    expect(Array.from(sample.positives)).to.deep.equal([0, 1, 2, 3]);
    expect(Array.from(sample.positiveGt)).to.deep.equal([0, 1, 0, 1]);
    expect(Array.from(sample.positiveIsGt)).to.deep.equal([1, 1, 0, 0]);
    expect(Array.from(sample.positiveLabels!)).to.deep.equal([11, 22, 11, 22]);
    expect(sample.negatives.length).to.equal(508);
    expect(sample.negatives.every((i) => i >= 4)).to.equal(true);
  });

  it('is a function of the seed', () => {
    const a = assignment(200, 0, 2000);
    const draw = (seed: number): number[] => {
      const s = sampleRandom(boxesFor(a), new Float32Array(4), a, RPN_SAMPLER, seededRng(seed));
      return [...s.positives, ...s.negatives];
    };
    expect(draw(9)).to.deep.equal(draw(9));
    expect(draw(9)).to.not.deep.equal(draw(10));
  });

  it('rejects a non-integer num', () => {
    const a = assignment(1, 0, 1);
    expect(() =>
      sampleRandom(boxesFor(a), new Float32Array(4), a, { num: 2.5, posFraction: 0.5 }, seededRng(1)),
    )
      .to.throw(BoxOptionError)
      .with.property('option', 'num');
  });
});
