// Repeated RPN training steps (head forward, proposals, targets, loss, gradients, optimizer update) keep the
// tensor count constant, and the loss goes down on a fixed batch, so the gradients reach the head.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  concatLevels,
  multiLevelAnchors,
  BACL_TRAIN_PROPOSALS,
  RpnHead,
  rpnLoss,
  rpnProposals,
  rpnTargets,
} from '../../../../worker/internal.js';
import { useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

describe('RPN training step', () => {
  before(useCpuBackend);

  it('leaks no tensors across steps and lowers the loss', () => {
    const sizes = [
      { height: 8, width: 8 },
      { height: 4, width: 4 },
    ];
    const levelAnchors = multiLevelAnchors(sizes, { strides: [4, 8] });
    const anchors = concatLevels(levelAnchors);
    const image = { height: 32, width: 32 };
    const gt = [Float32Array.of(2, 3, 20, 18), Float32Array.of(10, 10, 31, 30, 0, 0, 6, 9)];
    const head = new RpnHead(seededRng(1), { inChannels: 4, featChannels: 8, name: 'leak-check' });
    const features = sizes.map(({ height, width }) =>
      tf.randomNormal<tf.Rank.R4>([2, height, width, 4], 0, 1, 'float32', 3),
    );
    const optimizer = tf.train.sgd(0.5);
    const rng = seededRng(2);

    const step = (): number =>
      tf.tidy(() => {
        let proposalCount = 0;
        const { value, grads } = tf.variableGrads(() => {
          const outputs = head.apply(features);
          proposalCount = rpnProposals(outputs, levelAnchors, [image, image], BACL_TRAIN_PROPOSALS)[0]!.scores
            .length;
          const losses = rpnLoss(outputs, rpnTargets(anchors, gt, rng));
          return tf.add(losses.cls, losses.bbox);
        });
        expect(proposalCount).to.be.above(0);
        optimizer.applyGradients(grads);
        return value.dataSync()[0]!;
      });

    const first = step(); // creates the optimizer's scalars
    const baseline = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 4; i++) last = step();
    expect(tf.memory().numTensors).to.equal(baseline);
    expect(last).to.be.below(first);
    optimizer.dispose();
    tf.dispose(features);
    head.dispose();
  });
});
