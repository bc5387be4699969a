// The per-stage RoI-head steps on tiny features, run inside tf.variableGrads with a momentum optimizer as the
// runtime will: after a stage-2 step the frozen variables (a stand-in neck and shared_fcs.0/1) are bitwise
// unchanged and fc_cls / fc_reg moved; FCBL increments come back and count every positive row, hallucinated
// ones included; repeated steps of each stage leak no tensors.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  applyFcblIncrements,
  disposeFcblIncrements,
  FcblState,
  FhmState,
  baselineStep,
  BoxHead,
  classifierStep,
  representationStep,
  RoiHeadOptionError,
  type RoiTrainingImage,
  freezeForStage,
} from '../../../../worker/internal.js';
import { cpuBackends, useBackend } from '../../tf/helpers.js';
import { seededRng } from '../../../../common/index.js';

const C = 3;
const CHANNELS = 4;
const IMAGE = { height: 32, width: 32 };
// P2..P5 of a 32 × 32 image.
const LEVEL_SIZES = [8, 4, 2, 1];
const SAMPLER = { num: 16, posFraction: 0.25, addGtAsProposals: true };

const images: RoiTrainingImage[] = [
  {
    proposals: Float32Array.of(2, 2, 14, 15, 1, 3, 13, 13, 16, 16, 30, 30, 0, 20, 8, 31, 20, 0, 31, 10),
    gtBoxes: Float32Array.of(2, 3, 13, 14, 17, 15, 29, 31),
    gtLabels: Int32Array.of(0, 2),
  },
  {
    proposals: Float32Array.of(4, 4, 20, 20, 5, 5, 21, 19, 22, 2, 30, 12, 0, 0, 6, 6),
    gtBoxes: Float32Array.of(4, 5, 20, 21),
    gtLabels: Int32Array.of(1),
  },
];

interface Fixture {
  head: BoxHead;
  /** A stand-in for the frozen FPN: a per-channel scale applied to the features. */
  neck: tf.Variable;
  features: tf.Tensor4D[];
  scaled: () => tf.Tensor4D[];
  dispose: () => void;
}

function fixture(name: string, classifier: 'sigmoid' | 'softmax' = 'sigmoid'): Fixture {
  const head = new BoxHead(seededRng(4), {
    numClasses: C,
    inChannels: CHANNELS,
    fcChannels: 8,
    classifier,
    name,
  });
  const neck = tf.variable(tf.fill([1, 1, 1, CHANNELS], 1.5), true, `${name}.neck.fpn_convs.0.conv.weight`);
  const features = LEVEL_SIZES.map((size, level) =>
    tf.randomNormal<tf.Rank.R4>([2, size, size, CHANNELS], 0.5, 1, 'float32', 10 + level),
  );
  const scaled = () => features.map((map) => tf.mul<tf.Tensor4D>(map, neck));
  const dispose = () => {
    head.dispose();
    neck.dispose();
    tf.dispose(features);
  };
  return { head, neck, features, scaled, dispose };
}

function copies(variables: tf.Variable[]): Map<string, Float32Array> {
  return new Map(variables.map((v) => [v.name, Float32Array.from(v.dataSync())]));
}

for (const backend of cpuBackends) {
  describe(`RoI head training steps (${backend})`, () => {
    before(() => useBackend(backend));

    it('stage 2 trains only fc_cls and fc_reg, returns FCBL increments and leaks nothing', () => {
      const { head, neck, scaled, dispose } = fixture(`stage2-${backend}.roi_head.bbox_head`);
      const all = [neck, ...head.variables];
      const frozen = freezeForStage('classifier', all, (v) => v.name.replace(/^stage2-[a-z]+\./, ''));
      expect(frozen).to.have.length(5); // the neck and shared_fcs.0/1 weight and bias
      const fcbl = new FcblState(C);
      const fhm = new FhmState(C, 8);
      const rng = seededRng(7);
      const optimizer = tf.train.momentum(0.1, 0.9);
      const before = copies(all);

      const step = (): { positives: number; hallucinated: number; counted: number } =>
        tf.tidy(() => {
          let result: ReturnType<typeof classifierStep> | undefined;
          const { grads } = tf.variableGrads(() => {
            result = classifierStep({
              head,
              features: scaled(),
              images,
              rng,
              fcbl,
              fhm,
              imageSizes: [IMAGE, IMAGE],
              targets: { sampler: SAMPLER },
              hallucination: { sampledClasses: 2, samplesPerClass: 3 },
            });
            return tf.add(result.cls, result.bbox);
          });
          optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
          const { increments, targets, hallucinatedRows } = result!;
          const counted = increments.counts.sum().dataSync()[0]!;
          applyFcblIncrements(fcbl, increments); // a single rank's sum is its own increments
          disposeFcblIncrements(increments);
          const positives = targets.positives.reduce((a, b) => a + b, 0);
          return { positives, hallucinated: hallucinatedRows, counted };
        });

      const first = step(); // creates the optimizer's accumulators
      const baseline = tf.memory().numTensors;
      const later = [step(), step()];
      expect(tf.memory().numTensors).to.equal(baseline);

      // Every GT class has statistics after the first observe, so the two drawn classes each give 3 rows.
      for (const { positives, hallucinated, counted } of [first, ...later]) {
        expect(hallucinated).to.equal(6);
        expect(counted).to.equal(positives + hallucinated);
      }
      expect(Array.from(fhm.used)).to.deep.equal([1, 1, 1]);
      const after = copies(all);
      for (const variable of all) {
        const unchanged = Buffer.from(before.get(variable.name)!.buffer).equals(
          Buffer.from(after.get(variable.name)!.buffer),
        );
        expect(unchanged, variable.name).to.equal(!variable.trainable);
      }
      expect(all.filter((v) => v.trainable).map((v) => v.name)).to.deep.equal(
        ['fc_cls.weight', 'fc_cls.bias', 'fc_reg.weight', 'fc_reg.bias'].map(
          (n) => `stage2-${backend}.roi_head.bbox_head.${n}`,
        ),
      );
      optimizer.dispose();
      fcbl.dispose();
      fhm.dispose();
      dispose();
    });

    for (const [stage, classifier, run] of [
      ['representation', 'sigmoid', representationStep],
      ['baseline', 'softmax', baselineStep],
    ] as const) {
      it(`${stage} trains every variable, lowers its loss and leaks nothing`, () => {
        const { head, neck, scaled, dispose } = fixture(`${stage}-${backend}.roi_head.bbox_head`, classifier);
        const all = [neck, ...head.variables];
        const optimizer = tf.train.sgd(0.05);
        const rng = seededRng(9);
        const before = copies(all);
        const step = (): number =>
          tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => {
              const losses = run({ head, features: scaled(), images, rng, targets: { sampler: SAMPLER } });
              return tf.add(losses.cls, losses.bbox);
            });
            optimizer.applyGradients(grads);
            return value.dataSync()[0]!;
          });
        const first = step();
        const baseline = tf.memory().numTensors;
        let last = first;
        for (let i = 0; i < 3; i++) last = step();
        expect(tf.memory().numTensors).to.equal(baseline);
        expect(last).to.be.below(first);
        const after = copies(all);
        for (const variable of all) {
          expect(after.get(variable.name), variable.name).to.not.deep.equal(before.get(variable.name));
        }
        optimizer.dispose();
        dispose();
      });
    }

    it('runs FCBL alone without FHM state, and needs image sizes with it', () => {
      const { head, scaled, dispose } = fixture(`fcbl-only-${backend}.roi_head.bbox_head`);
      const fcbl = new FcblState(C);
      const fhm = new FhmState(C, 8);
      const features = scaled();
      const inputs = { head, features, images, fcbl, targets: { sampler: SAMPLER } };
      const losses = classifierStep({ ...inputs, rng: seededRng(2) });
      expect(losses.hallucinatedRows).to.equal(0);
      const positives = losses.targets.positives.reduce((a, b) => a + b, 0);
      expect(tf.tidy(() => losses.increments.counts.sum().dataSync()[0])).to.equal(positives);
      tf.dispose([losses.cls, losses.bbox]);
      disposeFcblIncrements(losses.increments);
      expect(() => classifierStep({ ...inputs, fhm, rng: seededRng(2) })).to.throw(
        RoiHeadOptionError,
        'imageSizes',
      );
      tf.dispose(features);
      fcbl.dispose();
      fhm.dispose();
      dispose();
    });

    it('refuses a head whose classifier does not match the stage', () => {
      const { head, scaled, dispose } = fixture(`mismatch-${backend}.roi_head.bbox_head`, 'softmax');
      const features = scaled();
      expect(() => representationStep({ head, features, images, rng: seededRng(1) })).to.throw(
        RoiHeadOptionError,
        'classifier',
      );
      tf.dispose(features);
      dispose();
    });
  });
}
