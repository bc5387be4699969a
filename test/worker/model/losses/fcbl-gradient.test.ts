// FCBL's autodiff gradient against central finite differences (spec 2.5) on a small random batch with a
// non-trivial LTI, so margins of both signs, clamped entries and dropped columns all occur.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { disposeFcblIncrements, FcblState, fcblLoss, shortTermWeights } from '../../../../worker/internal.js';
import { centralDifferences, expectClose, useCpuBackend, values } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

const C = 4;
const ROWS = 6;
const LABELS = [0, 2, 4, 1, 3, 2]; // 4 = background

function randomCase(seed: number): { logits: number[][]; confusion: Float32Array; counts: Float32Array } {
  const rng = seededRng(seed);
  const logits = Array.from({ length: ROWS }, () => Array.from({ length: C + 1 }, () => 6 * rng() - 3));
  // Counts 0..5 per class (some zero, so their A rows clamp to ε) and M rows that sum to at most n_k.
  const counts = Float32Array.from({ length: C }, (_, k) => (k === 3 ? 0 : 1 + Math.floor(5 * rng())));
  const confusion = new Float32Array(C * C);
  for (let k = 0; k < C; k++) {
    const raw = Array.from({ length: C }, () => rng() ** 3);
    const total = raw.reduce((a, b) => a + b, 0);
    raw.forEach((r, j) => (confusion[k * C + j] = ((counts[k] ?? 0) * r) / total));
  }
  return { logits, confusion, counts };
}

describe('FCBL gradient vs central finite differences', () => {
  before(useCpuBackend);

  for (const seed of [7, 11]) {
    it(`matches on random batch ${seed} (reweight on and off)`, () => {
      const { logits, confusion, counts } = randomCase(seed);
      const state = FcblState.fromSnapshot({ numClasses: C, confusion, counts });
      tf.tidy(() => {
        const labels = tf.tensor1d(LABELS, 'int32');
        const positive = tf.tensor1d(LABELS.map((y) => (y < C ? 1 : 0)));
        for (const reweight of [true, false]) {
          const loss = (z: tf.Tensor2D): tf.Scalar => {
            const result = fcblLoss(z, labels, state, { reweight });
            disposeFcblIncrements(result.increments);
            return result.loss;
          };
          const analytic = values(tf.grad((z: tf.Tensor) => loss(z as tf.Tensor2D))(tf.tensor2d(logits)));
          // Float32 loss of about 2: round-off ≈ 2·6e-8 / (2h) ≈ 6e-6 at h = 1e-2; truncation h²/6·|ℓ'''|/N
          // ≤ 1e-4/6 · 0.1/6 ≈ 3e-7. The STI weights are steps, so h must not move any q across q_y or τ:
          // checked below by recomputing the weights with each logit moved by ±h alone.
          const numeric = centralDifferences(loss, logits, 1e-2);
          expectClose(numeric, analytic, 2e-4, `dL/dz (reweight ${reweight})`);
          if (reweight) {
            const weightsAt = (rows: number[][]): number[] =>
              values(shortTermWeights(tf.tensor2d(rows), labels, positive, 0.7));
            const atPoint = weightsAt(logits);
            expect(atPoint).to.include(0); // some columns really are dropped
            for (const [index, shift] of logits.flat().flatMap(
              (_, i) =>
                [
                  [i, 1e-2],
                  [i, -1e-2],
                ] as const,
            )) {
              const moved = logits.map((row, r) =>
                row.map((z, c) => (r * (C + 1) + c === index ? z + shift : z)),
              );
              expect(weightsAt(moved), `weights with z[${index}] moved by ${shift}`).to.deep.equal(atPoint);
            }
          }
          // A vanishing gradient would make the comparison above meaningless.
          expect(analytic.some((g) => Math.abs(g) > 1e-3)).to.equal(true);
        }
      });
      state.dispose();
    });
  }
});
