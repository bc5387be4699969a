// Repeated stage-2 steps through every public function must leave tf.memory().numTensors where it was: the
// runtime runs hundreds of thousands of them.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  appendHallucinatedRows,
  applyFcblIncrements,
  disposeFcblIncrements,
  FcblState,
  fcblIncrementsFromArrays,
  fcblIncrementsToArrays,
  fcblLoss,
  FhmState,
  hallucinate,
  jitterGroundTruthBoxes,
  sigmoidBceLoss,
  softmaxCrossEntropyLoss,
  sumFcblIncrements,
} from '../../../../worker/internal.js';
import { useCpuBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

const C = 5;
const D = 8;

describe('no tensor leaks across training steps', () => {
  before(useCpuBackend);

  it('keeps numTensors constant over repeated FHM + FCBL steps with an fc_cls variable', async () => {
    const rng = seededRng(42);
    const fcbl = new FcblState(C);
    const fhm = new FhmState(C, D);
    const weight = tf.variable(tf.randomNormal([D, C + 1], 0, 0.1, 'float32', 1));
    const bias = tf.variable(tf.zeros([C + 1]));
    const fcCls = (x: tf.Tensor2D): tf.Tensor2D => tf.add(tf.matMul(x, weight), bias);
    const optimizer = tf.train.sgd(0.1);

    const step = async (): Promise<void> => {
      // Statistics from the jittered GT boxes (stand-in embeddings: the RoI head is not built yet).
      const jittered = jitterGroundTruthBoxes(
        [0, 0, 10, 10, 5, 5, 20, 30],
        [1, 3],
        { height: 40, width: 40 },
        C,
        rng,
      );
      tf.tidy(() => fhm.observe(tf.randomUniform<tf.Rank.R2>([jittered.labels.length, D]), jittered.labels));
      const accuracy = fcbl.softAccuracy();
      const hallucinated = hallucinate(fhm, await accuracy.data(), rng, {
        sampledClasses: 3,
        samplesPerClass: 2,
      });
      accuracy.dispose();
      const features = tf.randomUniform<tf.Rank.R2>([6, D]);
      const labels = tf.tensor1d([0, 5, 1, 5, 3, 2], 'int32');
      let increments: ReturnType<typeof fcblLoss>['increments'] | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const rows = appendHallucinatedRows(fcCls(features), labels, hallucinated, fcCls);
        const result = fcblLoss(rows.logits, rows.labels, fcbl);
        increments = result.increments;
        return result.loss;
      });
      optimizer.applyGradients(grads);
      // All-reduce stand-in: through flat arrays and back, then summed with itself as a second "rank".
      const reduced = fcblIncrementsFromArrays(C, await fcblIncrementsToArrays(increments!));
      const summed = sumFcblIncrements([reduced, increments!]);
      applyFcblIncrements(fcbl, summed);
      tf.dispose([value, features, labels, hallucinated.features, ...Object.values(grads)]);
      [increments!, reduced, summed].forEach(disposeFcblIncrements);
      tf.tidy(() => {
        const logits = tf.randomNormal<tf.Rank.R2>([4, C + 1]);
        const stageOneLabels = tf.tensor1d([0, 1, 5, 2], 'int32');
        sigmoidBceLoss(logits, stageOneLabels);
        softmaxCrossEntropyLoss(logits, stageOneLabels);
      });
    };

    await step(); // the optimizer creates its state on the first step
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await step();
      counts.push(tf.memory().numTensors);
    }
    expect(counts).to.deep.equal(new Array<number>(5).fill(counts[0] ?? -1));
    expect(fhm.used.some((flag) => flag === 1)).to.equal(true);
    tf.dispose([weight, bias]);
    optimizer.dispose();
    fcbl.dispose();
    fhm.dispose();
  });
});
