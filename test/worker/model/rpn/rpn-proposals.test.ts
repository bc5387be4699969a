// Proposal generation: per-level pre-NMS limits, the per-image cap, score order, clipping, NMS within each
// level, the minimum size filter, and the stage presets.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  BoxOptionError,
  iouAt,
  multiLevelAnchors,
  BACL_TRAIN_PROPOSALS,
  BASELINE_TRAIN_PROPOSALS,
  rpnProposals,
  TEST_PROPOSALS,
  type RpnOutputs,
} from '../../../../worker/internal.js';
import { expectClose, sigmoid, useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

const STRIDES = [4, 8];
const SIZES = [
  { height: 8, width: 8 },
  { height: 4, width: 4 },
];
const IMAGE = { height: 30, width: 26 };
const anchors = multiLevelAnchors(SIZES, { strides: STRIDES });

/** Random logits and small deltas for 2 images, as plain arrays so each test builds and frees its tensors. */
function randomOutputs(seed: number, deltaScale: number): { cls: number[][]; reg: number[][] } {
  const rng = seededRng(seed);
  const cls = SIZES.map(({ height, width }) =>
    Array.from({ length: 2 * height * width * 3 }, () => 6 * rng() - 3),
  );
  const reg = SIZES.map(({ height, width }) =>
    Array.from({ length: 2 * height * width * 12 }, () => deltaScale * (2 * rng() - 1)),
  );
  return { cls, reg };
}

function toOutputs(raw: { cls: number[][]; reg: number[][] }): RpnOutputs {
  return {
    clsScores: raw.cls.map((v, l) => tf.tensor4d(v, [2, SIZES[l]!.height, SIZES[l]!.width, 3])),
    bboxDeltas: raw.reg.map((v, l) => tf.tensor4d(v, [2, SIZES[l]!.height, SIZES[l]!.width, 12])),
  };
}

describe('rpnProposals', () => {
  before(useCpuBackend);

  it('keeps at most nmsPre per level and nmsPost per image, best first, inside the image', () => {
    const raw = randomOutputs(1, 0.3);
    tf.tidy(() => {
      const options = { ...BACL_TRAIN_PROPOSALS, nmsPre: 40, nmsPost: 50 };
      const proposals = rpnProposals(toOutputs(raw), anchors, [IMAGE, IMAGE], options);
      expect(proposals).to.have.length(2);
      for (const { boxes, scores, levels } of proposals) {
        expect(scores.length).to.be.within(10, 50);
        expect(boxes.length).to.equal(4 * scores.length);
        for (const level of [0, 1]) expect(levels.filter((l) => l === level).length).to.be.at.most(40);
        expect(scores.every((s, i) => i === 0 || s <= scores[i - 1]!)).to.equal(true);
        for (let i = 0; i < scores.length; i++) {
          const [x1, y1, x2, y2] = Array.from(boxes.subarray(4 * i, 4 * i + 4)) as [
            number,
            number,
            number,
            number,
          ];
          expect(x1 >= 0 && y1 >= 0 && x2 <= IMAGE.width && y2 <= IMAGE.height, `box ${i} clipped`).to.equal(
            true,
          );
          for (let j = 0; j < i; j++) {
            if (levels[i] === levels[j]) expect(iouAt(boxes, i, boxes, j)).to.be.at.most(Math.fround(0.7));
          }
        }
      }
    });
  });

  it('returns every clipped anchor with its sigmoid score when nothing is suppressed or cut', () => {
    const raw = randomOutputs(2, 0);
    tf.tidy(() => {
      const options = { nmsPre: 1000, nmsPost: 1000, iouThreshold: 1, minBoxSize: 0 };
      const [first] = rpnProposals(toOutputs(raw), anchors, [IMAGE, IMAGE], options);
      expect(first!.scores.length).to.equal(192 + 48);
      // The best proposal is the anchor with the highest logit of image 0, clipped to the image.
      const image0 = [raw.cls[0]!.slice(0, 192), raw.cls[1]!.slice(0, 48)];
      const best = Math.max(...image0.flat());
      const level = image0[0]!.includes(best) ? 0 : 1;
      const index = image0[level]!.indexOf(best);
      const anchor = Array.from(anchors[level]!.subarray(4 * index, 4 * index + 4));
      const clipped = anchor.map((v, k) =>
        Math.min(Math.max(v, 0), k % 2 === 0 ? IMAGE.width : IMAGE.height),
      );
      expectClose(first!.boxes.subarray(0, 4), clipped, 1e-5, 'best box'); // decode(0) = centre ± size/2
      expect(first!.scores[0]).to.be.closeTo(sigmoid(best), 1e-6);
      expect(first!.levels[0]).to.equal(level);
    });
  });

  it('drops boxes below minBoxSize', () => {
    const raw = randomOutputs(3, 0.2);
    tf.tidy(() => {
      const options = { ...TEST_PROPOSALS, iouThreshold: 1, minBoxSize: 25 };
      const [first] = rpnProposals(toOutputs(raw), anchors, [IMAGE, IMAGE], options);
      expect(first!.scores.length).to.be.above(0);
      for (let i = 0; i < first!.scores.length; i++) {
        const b = first!.boxes.subarray(4 * i, 4 * i + 4);
        expect(b[2]! - b[0]! >= 25 && b[3]! - b[1]! >= 25).to.equal(true);
      }
    });
  });

  it('leaves no tensors behind', () => {
    const raw = randomOutputs(4, 0.3);
    const outputs = toOutputs(raw);
    const before = tf.memory().numTensors;
    rpnProposals(outputs, anchors, [IMAGE, IMAGE], BACL_TRAIN_PROPOSALS);
    expect(tf.memory().numTensors).to.equal(before);
    tf.dispose([...outputs.clsScores, ...outputs.bboxDeltas]);
  });

  it('has the spec settings per stage and rejects a bad limit', () => {
    expect([BACL_TRAIN_PROPOSALS.nmsPre, BACL_TRAIN_PROPOSALS.nmsPost]).to.deep.equal([2000, 2000]);
    expect([BASELINE_TRAIN_PROPOSALS.nmsPre, BASELINE_TRAIN_PROPOSALS.nmsPost]).to.deep.equal([2000, 1000]);
    expect([TEST_PROPOSALS.nmsPre, TEST_PROPOSALS.nmsPost, TEST_PROPOSALS.iouThreshold]).to.deep.equal([
      1000, 1000, 0.7,
    ]);
    tf.tidy(() => {
      expect(() =>
        rpnProposals(toOutputs(randomOutputs(5, 0)), anchors, [IMAGE, IMAGE], {
          ...TEST_PROPOSALS,
          nmsPost: 0,
        }),
      )
        .to.throw(BoxOptionError)
        .with.property('option', 'nmsPost');
    });
  });
});
