// Spec 2.2 and 2.7 step 7: each rank computes ΔM and Δn on its own rows; the sums over ranks are applied.
// Two ranks with half a batch each must therefore leave the LTI exactly where one rank with the whole batch
// does, and (equal halves) their averaged gradients equal the whole batch's gradient.
import * as tf from '@tensorflow/tfjs';
import {
  applyFcblIncrements,
  disposeFcblIncrements,
  FcblState,
  fcblIncrementsFromArrays,
  fcblIncrementsToArrays,
  fcblLoss,
  sumFcblIncrements,
} from '../../../../worker/internal.js';
import { expectClose, useCpuBackend, values } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

const C = 3;
const LABELS = [0, 3, 2, 2, 1, 0, 3, 2];

function logitsFor(seed: number): number[][] {
  const rng = seededRng(seed);
  return LABELS.map(() => Array.from({ length: C + 1 }, () => 4 * rng() - 2));
}

describe('FCBL increments across data-parallel ranks', () => {
  let whole: FcblState;
  let split: FcblState;
  before(useCpuBackend);
  beforeEach(() => {
    // Both start from the same non-zero LTI so margins are in play.
    const snapshot = {
      numClasses: C,
      confusion: Float32Array.from([2, 0.5, 0.5, 0.2, 0.6, 0.2, 0.1, 0.1, 0.8]),
      counts: Float32Array.from([3, 1, 1]),
    };
    whole = FcblState.fromSnapshot(snapshot);
    split = FcblState.fromSnapshot(snapshot);
  });
  afterEach(() => {
    whole.dispose();
    split.dispose();
  });

  it('sums two half-batch increments to the whole batch increments, over three steps', async () => {
    for (const seed of [1, 2, 3]) {
      const logits = logitsFor(seed);
      const all = fcblLoss(tf.tensor2d(logits), tf.tensor1d(LABELS, 'int32'), whole);
      const halves = [0, 4].map((start) =>
        fcblLoss(
          tf.tensor2d(logits.slice(start, start + 4)),
          tf.tensor1d(LABELS.slice(start, start + 4), 'int32'),
          split,
        ),
      );
      // The all-reduce as the runtime will do it: flat arrays summed element-wise, then back to tensors.
      const arrays = await Promise.all(halves.map((half) => fcblIncrementsToArrays(half.increments)));
      const reduced = fcblIncrementsFromArrays(C, {
        confusion: arrays[0]!.confusion.map((v, i) => v + arrays[1]!.confusion[i]!),
        counts: arrays[0]!.counts.map((v, i) => v + arrays[1]!.counts[i]!),
      });
      const summed = sumFcblIncrements(halves.map((half) => half.increments));
      expectClose(values(summed.confusion), values(all.increments.confusion), 1e-6, 'ΣΔM');
      expectClose(values(summed.counts), values(all.increments.counts), 0, 'ΣΔn');
      expectClose(values(reduced.confusion), values(all.increments.confusion), 1e-6, 'all-reduced ΔM');
      applyFcblIncrements(whole, all.increments);
      applyFcblIncrements(split, reduced);
      for (const result of [all, ...halves]) {
        result.loss.dispose();
        disposeFcblIncrements(result.increments);
      }
      disposeFcblIncrements(summed);
      disposeFcblIncrements(reduced);
      expectClose(values(split.confusion), values(whole.confusion), 1e-5, `M after step ${seed}`);
      expectClose(values(split.counts), values(whole.counts), 0, `n after step ${seed}`);
    }
  });

  it('averages equal-half gradients to the whole batch gradient (each rank divides by its own N)', () => {
    tf.tidy(() => {
      const logits = logitsFor(9);
      const gradientOf = (rows: number[][], labels: number[]): number[] =>
        values(
          tf.grad((z: tf.Tensor) => {
            const result = fcblLoss(z as tf.Tensor2D, tf.tensor1d(labels, 'int32'), whole);
            disposeFcblIncrements(result.increments);
            return result.loss;
          })(tf.tensor2d(rows)),
        );
      const full = gradientOf(logits, LABELS);
      const first = gradientOf(logits.slice(0, 4), LABELS.slice(0, 4));
      const second = gradientOf(logits.slice(4), LABELS.slice(4));
      // Rank r's rows get (1/4)·w·(σ − t); DDP averages over 2 ranks: (1/8)·w·(σ − t), the whole-batch value.
      expectClose(
        [...first, ...second].map((g) => g / 2),
        full,
        1e-7,
        'averaged gradient',
      );
    });
  });
});
