// NMS against a plain reference written here (repeatedly take the best remaining box, drop everything that
// overlaps it by more than the threshold), the strict ">" at an exact tie, and the per-group batched form.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { batchedNms, nms, pairwiseIou } from '../../../../worker/internal.js';
import { useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

function referenceNms(boxes: Float32Array, scores: Float32Array, threshold: number): number[] {
  const n = scores.length;
  const iou = pairwiseIou(boxes, boxes);
  const alive = new Set(Array.from({ length: n }, (_, i) => i));
  const kept: number[] = [];
  while (alive.size > 0) {
    const best = [...alive].reduce((a, b) =>
      scores[b]! > scores[a]! || (scores[b] === scores[a] && b < a) ? b : a,
    );
    kept.push(best);
    for (const other of alive) if (other === best || iou[best * n + other]! > threshold) alive.delete(other);
  }
  return kept;
}

function randomScene(seed: number, count: number): { boxes: Float32Array; scores: Float32Array } {
  const rng = seededRng(seed);
  const boxes = new Float32Array(4 * count);
  for (let i = 0; i < count; i++) {
    const x = 60 * rng();
    const y = 60 * rng();
    boxes.set([x, y, x + 5 + 30 * rng(), y + 5 + 30 * rng()], 4 * i);
  }
  return { boxes, scores: Float32Array.from({ length: count }, () => rng()) };
}

describe('nms', () => {
  it('matches the reference on random scenes at several thresholds', () => {
    for (const [seed, threshold] of [
      [1, 0.7],
      [2, 0.5],
      [3, 0.3],
    ] as const) {
      const { boxes, scores } = randomScene(seed, 150);
      const kept = Array.from(nms(boxes, scores, threshold));
      expect(kept).to.deep.equal(referenceNms(boxes, scores, threshold));
      expect(kept.length).to.be.within(2, 149); // something was suppressed, something kept
    }
  });

  it('keeps a box whose IoU equals the threshold (mmcv CUDA ">"), where tfjs drops it (">=")', async () => {
    await useCpuBackend();
    const boxes = Float32Array.of(0, 0, 4, 1, 0, 0, 2, 1); // IoU exactly 2 / 4
    const scores = Float32Array.of(0.9, 0.8);
    expect(Array.from(nms(boxes, scores, 0.5))).to.deep.equal([0, 1]);
    const tfjsKept = tf.tidy(() => {
      const yxyx = tf.tensor2d([
        [0, 0, 1, 4],
        [0, 0, 1, 2],
      ]);
      return Array.from(tf.image.nonMaxSuppression(yxyx, tf.tensor1d(scores), 10, 0.5).dataSync());
    });
    expect(tfjsKept).to.deep.equal([0]);
  });

  it('orders by score, breaks ties by index, and stops at maxKept', () => {
    const boxes = Float32Array.of(0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21, 30, 30, 31, 31);
    const scores = Float32Array.of(0.5, 0.9, 0.5, 0.7);
    expect(Array.from(nms(boxes, scores, 0.5))).to.deep.equal([1, 3, 0, 2]);
    expect(Array.from(nms(boxes, scores, 0.5, { maxKept: 2 }))).to.deep.equal([1, 3]);
  });
});

describe('batchedNms', () => {
  it('suppresses only within a group and merges groups by score', () => {
    const boxes = Float32Array.of(0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 9, 50, 50, 60, 60);
    const scores = Float32Array.of(0.6, 0.8, 0.7, 0.65);
    const groups = Int32Array.of(0, 1, 0, 1);
    // Group 0: box 2 (0.7) suppresses box 0 (IoU 0.9). Group 1: boxes 1 and 3 do not overlap.
    expect(Array.from(batchedNms(boxes, scores, groups, 0.5))).to.deep.equal([1, 2, 3]);
  });

  it('equals NMS run on each group separately', () => {
    const { boxes, scores } = randomScene(7, 120);
    const groups = Int32Array.from({ length: 120 }, (_, i) => i % 3);
    const perGroup: number[] = [];
    for (const group of [0, 1, 2]) {
      const ids = Array.from({ length: 120 }, (_, i) => i).filter((i) => groups[i] === group);
      const sub = Float32Array.from(ids.flatMap((i) => Array.from(boxes.subarray(4 * i, 4 * i + 4))));
      const kept = referenceNms(
        sub,
        Float32Array.from(ids, (i) => scores[i]!),
        0.5,
      );
      perGroup.push(...kept.map((k) => ids[k]!));
    }
    perGroup.sort((a, b) => scores[b]! - scores[a]! || a - b);
    expect(Array.from(batchedNms(boxes, scores, groups, 0.5))).to.deep.equal(perGroup);
  });
});
