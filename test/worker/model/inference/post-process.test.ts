// Test-time post-processing on hand-built logits and deltas, against values worked out by hand: the score
// σ(z_c)·(1 − σ(z_bg)), the strict 1e-4 threshold, class-specific decode with clipping, per-class NMS at 0.5,
// the top-k cut, the rescale to original-image pixels, and the LVIS rows (class-major, xywh, category ids).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  classScores,
  InferenceShapeError,
  multiclassNms,
  postProcessImage,
  scaleFactorOf,
  toLvisDetections,
  type Detections,
} from '../../../../worker/internal.js';
import { expectClose, logit, sigmoid, useCpuBackend } from '../../tf/helpers.js';

// Three RoIs, C = 2. The background logit is 0, so every class score is 0.5·σ(z_c).
const rois = Float32Array.of(10, 10, 30, 30, 12, 10, 32, 30, 60, 60, 80, 100);
const logits = [
  [logit(0.8), logit(0.1), 0], // scores 0.4, 0.05
  [logit(0.6), logit(0.0001), 0], // 0.3 (suppressed by RoI 0: IoU 360/440), 0.00005 (below 1e-4)
  [logit(0.2), logit(0.5), 0], // 0.1, 0.25
];
// Zero deltas decode to the RoI itself. RoI 2: class 0 moves right by 10·0.1·20 = 20 px (then clipped to the
// image width 90); class 1 by 0.5·0.1·20 = 1 px.
const deltas = [
  [0, 0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0],
  [10, 0, 0, 0, 0.5, 0, 0, 0],
];
// Resized 90 × 100 from an original 45 × 200: x is halved on the way back and y doubled.
const image = {
  imageShape: { height: 100, width: 90 },
  scaleFactor: scaleFactorOf({ height: 200, width: 45 }, { height: 100, width: 90 }),
};

function run(maxPerImage = 300): Detections {
  const scores = tf.tensor2d(logits);
  const predictions = tf.tensor2d(deltas);
  try {
    return postProcessImage(scores, predictions, rois, image, { maxPerImage });
  } finally {
    tf.dispose([scores, predictions]);
  }
}

describe('inference post-processing', () => {
  before(useCpuBackend);

  it('scores σ(z_c)·(1 − σ(z_bg)) for sigmoid heads and softmax without background for the baseline', () => {
    const z = [
      [1.5, -2, 0.3],
      [-0.7, 0.2, -1.1],
    ];
    const sigmoidScores = tf.tidy(() => Array.from(classScores(tf.tensor2d(z), 'sigmoid').dataSync()));
    const expected = z.flatMap((row) => [0, 1].map((c) => sigmoid(row[c]!) * (1 - sigmoid(row[2]!))));
    expectClose(sigmoidScores, expected, 1e-6, 'sigmoid');
    const softmaxScores = tf.tidy(() => Array.from(classScores(tf.tensor2d(z), 'softmax').dataSync()));
    const softmax = z.flatMap((row) => {
      const total = row.reduce((sum, v) => sum + Math.exp(v), 0);
      return [0, 1].map((c) => Math.exp(row[c]!) / total);
    });
    expectClose(softmaxScores, softmax, 1e-6, 'softmax');
  });

  it('thresholds, decodes per class, runs NMS per class and rescales to the original image', () => {
    const before = tf.memory().numTensors;
    const detections = run();
    expect(tf.memory().numTensors).to.equal(before);
    expect(Array.from(detections.labels)).to.deep.equal([0, 1, 0, 1]);
    expectClose(detections.scores, [0.4, 0.25, 0.1, 0.05], 1e-6, 'scores');
    expectClose(
      detections.boxes,
      [
        ...[5, 20, 15, 60], // RoI 0, class 0
        ...[30.5, 120, 40.5, 200], // RoI 2, class 1
        ...[40, 120, 45, 200], // RoI 2, class 0: [80, 60, 90, 100] after the clip
        ...[5, 20, 15, 60], // RoI 0, class 1: another class, so RoI 0's class-0 box does not suppress it
      ],
      1e-4,
      'boxes',
    );
  });

  it('keeps the top k across classes', () => {
    const detections = run(2);
    expectClose(detections.scores, [0.4, 0.25], 1e-6, 'scores');
    expect(Array.from(detections.labels)).to.deep.equal([0, 1]);
  });

  it('drops scores equal to the threshold and keeps those above it', () => {
    const boxes = Float32Array.of(0, 0, 1, 1, 0, 0, 1, 1, 5, 5, 6, 6, 5, 5, 6, 6);
    const atThreshold = Math.fround(1e-4);
    const above = Math.fround(1.0001e-4);
    const scores = Float32Array.of(atThreshold, above, 0.5, 0);
    const detections = multiclassNms(boxes, scores, 2);
    expect(Array.from(detections.labels)).to.deep.equal([0, 1]);
    expect(Array.from(detections.scores)).to.deep.equal([0.5, above]);
  });

  it('writes LVIS rows class by class with xywh boxes and category ids', () => {
    const rows = toLvisDetections(run(), 42, [3, 7]);
    expect(rows.map((r) => [r.image_id, r.category_id])).to.deep.equal([
      [42, 3],
      [42, 3],
      [42, 7],
      [42, 7],
    ]);
    expectClose(
      rows.flatMap((r) => [...r.bbox, r.score]),
      [
        ...[5, 20, 10, 40, 0.4],
        ...[40, 120, 5, 80, 0.1],
        ...[30.5, 120, 10, 80, 0.25],
        ...[5, 20, 10, 40, 0.05],
      ],
      1e-4,
      'rows',
    );
  });

  it('checks the shapes it is given', () => {
    const scores = tf.zeros<tf.Rank.R2>([3, 3]);
    const wrong = tf.zeros<tf.Rank.R2>([3, 4]);
    expect(() => postProcessImage(scores, wrong, rois, image)).to.throw(InferenceShapeError, 'bboxPred');
    tf.dispose([scores, wrong]);
  });
});
