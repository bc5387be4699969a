// Batch inference: detect() over two images gives, per image, what post-processing that image's RoIs alone
// gives (so rows are pooled from the right image and split back correctly), and leaks no tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  detect,
  postProcessImage,
  type TestImage,
  roiAlign,
  BoxHead,
  disposeBoxHeadOutputs,
} from '../../../../worker/internal.js';
import { cpuBackends, useBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

for (const backend of cpuBackends) {
  describe(`detect (${backend})`, () => {
    before(() => useBackend(backend));

    it('post-processes each image of a batch from its own RoIs and leaks nothing', () => {
      const head = new BoxHead(seededRng(3), {
        numClasses: 2,
        inChannels: 3,
        fcChannels: 8,
        name: `detect-${backend}.bbox_head`,
      });
      const features = [8, 4, 2, 1].map((size, level) =>
        tf.randomNormal<tf.Rank.R4>([2, size, size, 3], 0, 1, 'float32', 20 + level),
      );
      const proposals = [
        Float32Array.of(1, 1, 12, 12, 2, 1, 13, 12, 16, 16, 31, 31),
        Float32Array.of(0, 0, 20, 20, 4, 8, 12, 30),
      ];
      const images: TestImage[] = [
        { imageShape: { height: 32, width: 32 }, scaleFactor: [0.5, 0.5] },
        { imageShape: { height: 32, width: 30 }, scaleFactor: [2, 1.5] },
      ];
      const alone = proposals.map((boxes, b) => {
        const batchIndices = new Int32Array(boxes.length / 4).fill(b);
        const pooled = roiAlign(features, { boxes, batchIndices });
        const outputs = head.apply(pooled);
        try {
          return postProcessImage(outputs.clsScore, outputs.bboxPred, boxes, images[b]!);
        } finally {
          pooled.dispose();
          disposeBoxHeadOutputs(outputs);
        }
      });
      const before = tf.memory().numTensors;
      const batched = detect(head, features, proposals, images);
      expect(tf.memory().numTensors).to.equal(before);
      expect(batched).to.have.length(2);
      batched.forEach((detections, b) => {
        expect(detections.labels.length, `image ${b}`).to.be.above(0);
        expect(Array.from(detections.labels)).to.deep.equal(Array.from(alone[b]!.labels));
        expect(Array.from(detections.scores)).to.deep.equal(Array.from(alone[b]!.scores));
        expect(Array.from(detections.boxes)).to.deep.equal(Array.from(alone[b]!.boxes));
      });
      tf.dispose(features);
      head.dispose();
    });
  });
}
