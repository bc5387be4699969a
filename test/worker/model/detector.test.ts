// The assembled detector on the tiny config (wasm): per-stage steps that leak no tensors, stage 2's freezing
// and FCBL/FHM bookkeeping, inference to LVIS rows, checkpoints of the whole state, and cancellation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { seededRng, type TrainingStageName } from '../../../common/index.js';
import {
  classifierForStages,
  computeGradients,
  Detector,
  detectLvis,
  detectorArrays,
  DetectorOptionError,
  DirectoryStorage,
  disposeStepGradients,
  finishStep,
  initTf,
  loadDetector,
  prepareBatch,
  saveDetector,
  SgdMomentum,
  trainStage,
  trainStep,
  type PreparedBatch,
} from '../../../worker/internal.js';
import { synthTrainImages, tinyConfig, type SynthImages } from './detector-fixture.js';

describe('worker/model detector (tiny config, wasm)', function () {
  this.timeout(120_000);
  // The tiny detector sized to this test's 4-category data, so every detected label maps to a category id.
  const config = tinyConfig(['model.roi_head.num_classes=4', 'data.synth.categories=4']);
  let dir: string;
  let data: SynthImages;
  let detector: Detector | undefined;
  let saved: Awaited<ReturnType<typeof detectorArrays>> = [];

  const build = (stages: TrainingStageName[], seed = config.seed): Detector => {
    detector = new Detector({
      model: config.model,
      losses: config.losses,
      seed,
      classifier: classifierForStages(stages),
    });
    return detector;
  };
  const batch = (): PreparedBatch =>
    prepareBatch(data.images.slice(0, 2), { scale: [128, 128], sizeDivisor: config.data.size_divisor });
  const valuesOf = (variable: tf.Variable) => Float32Array.from(variable.dataSync());

  before(async function () {
    await initTf({ backend: 'wasm' });
    dir = mkdtempSync(join(tmpdir(), 'bacl-detector-'));
    data = await synthTrainImages(dir, { images: 8, categories: 4, seed: 3 });
  });
  afterEach(function () {
    detector?.dispose();
    detector = undefined;
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const stage of ['representation', 'classifier', 'baseline'] as const) {
    it(`${stage}: tf.memory().numTensors is the same after every step`, function () {
      const model = build([stage]);
      const variables = model.prepareStage(stage);
      const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 1e-4 });
      const rng = seededRng(1);
      const input = batch();
      try {
        const step = () => trainStep(model, stage, variables, optimizer, input, rng, 0.01);
        step(); // creates the momentum accumulators (tfjs-notes 6.2)
        const counts = [tf.memory().numTensors];
        for (let i = 0; i < 3; i++) {
          const losses = step();
          expect(Number.isFinite(losses.total), 'finite loss').to.equal(true);
          counts.push(tf.memory().numTensors);
        }
        expect(counts).to.deep.equal([counts[0], counts[0], counts[0], counts[0]]);
      } finally {
        optimizer.dispose();
        tf.dispose(input.images);
      }
    });
  }

  it('classifier stage trains only fc_cls, fc_reg and the RPN, and applies the FCBL increments', function () {
    const model = build(['representation', 'classifier']);
    const variables = model.prepareStage('classifier');
    const names = variables.map((v) => v.name);
    expect(names.length).to.be.greaterThan(0);
    for (const name of names) expect(name).to.match(/fc_cls|fc_reg|rpn/);
    const sharedFc = model.head.sharedFcs[0].weight;
    const backboneConv = model.store.get('backbone.layer4.0.conv2.weight');
    const before = [valuesOf(sharedFc), valuesOf(backboneConv), valuesOf(model.head.fcCls.weight)];
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 1e-4 });
    const input = batch();
    let hallucinatedRows: number;
    try {
      trainStep(model, 'classifier', variables, optimizer, input, seededRng(0), 0.01);
      // The second step draws classes FHM observed in the first (spec 3.5) and appends their features.
      const step = computeGradients(model, 'classifier', variables, input, seededRng(1));
      hallucinatedRows = step.hallucinatedRows;
      optimizer.step(step.grads, 0.01);
      finishStep(model, step.increments);
      disposeStepGradients(step);
    } finally {
      optimizer.dispose();
      tf.dispose(input.images);
    }
    expect(hallucinatedRows).to.be.greaterThan(0);
    expect(valuesOf(sharedFc)).to.deep.equal(before[0]);
    expect(valuesOf(backboneConv)).to.deep.equal(before[1]);
    expect(valuesOf(model.head.fcCls.weight)).to.not.deep.equal(before[2]);
    // Every positive RoI adds 1 to n of its class: two steps over GT-added positives make n > 0.
    const counts = Array.from(model.fcbl?.counts.dataSync() ?? []);
    expect(counts.reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
  });

  it('refuses a stage its box head cannot train', function () {
    const model = build(['baseline']);
    expect(() => model.prepareStage('representation')).to.throw(DetectorOptionError);
    expect(() => classifierForStages(['baseline', 'classifier'])).to.throw(DetectorOptionError);
  });

  it('detects into LVIS rows in original-image pixels without leaking tensors', function () {
    const model = build(['representation']);
    const input = batch();
    try {
      detectLvis(model, input, data.imageIds.slice(0, 2), data.categoryIds); // warms the kernels
      const count = tf.memory().numTensors;
      const rows = detectLvis(model, input, data.imageIds.slice(0, 2), data.categoryIds);
      expect(tf.memory().numTensors).to.equal(count);
      expect(rows.length).to.be.at.most(2 * config.model.roi_head.max_per_img);
      for (const row of rows) {
        const image = data.images[data.imageIds.indexOf(row.image_id)];
        expect(image, `image ${row.image_id}`).to.not.equal(undefined);
        expect(data.categoryIds).to.include(row.category_id);
        expect(row.bbox[0] + row.bbox[2]).to.be.at.most((image?.width ?? 0) + 1e-3);
        expect(row.bbox[1] + row.bbox[3]).to.be.at.most((image?.height ?? 0) + 1e-3);
      }
    } finally {
      tf.dispose(input.images);
    }
  });

  it('saves and loads the whole state: parameters, BN statistics, FCBL and FHM', async function () {
    const storage = new DirectoryStorage(join(dir, 'checkpoints'));
    const first = build(['representation', 'classifier']);
    const variables = first.prepareStage('classifier');
    const optimizer = new SgdMomentum();
    const input = batch();
    try {
      trainStep(first, 'classifier', variables, optimizer, input, seededRng(5), 0.01);
    } finally {
      optimizer.dispose();
      tf.dispose(input.images);
    }
    saved = await detectorArrays(first);
    expect(saved.map((a) => a.name)).to.include.members([
      'backbone.bn1.running_mean',
      'rpn_head.rpn_conv.weight',
      'roi_head.bbox_head.fc_cls.weight',
      'roi_head.bbox_head.loss_cls.cm_numerator',
      'roi_head.bbox_head.feature_prototype',
    ]);
    await saveDetector(first, storage, 'run/stage2');
    first.dispose();
    detector = undefined;

    const second = build(['representation', 'classifier'], config.seed + 99);
    await loadDetector(second, storage, 'run/stage2');
    const loaded = await detectorArrays(second);
    expect(loaded.map((a) => [a.name, Array.from(a.data)])).to.deep.equal(
      saved.map((a) => [a.name, Array.from(a.data)]),
    );
  });

  it("include: 'model' loads the weights and leaves the loss state at zero (stage 2 from stage 1)", async function () {
    const storage = new DirectoryStorage(join(dir, 'checkpoints'));
    const model = build(['representation', 'classifier'], config.seed + 5);
    await loadDetector(model, storage, 'run/stage2', { include: 'model' });
    expect(Array.from(model.fcbl?.counts.dataSync() ?? [1]).every((v) => v === 0)).to.equal(true);
    const fcCls = saved.find((a) => a.name === 'roi_head.bbox_head.fc_cls.weight');
    expect(Array.from(model.head.fcCls.weight.dataSync())).to.deep.equal(Array.from(fcCls?.data ?? []));
  });

  it('trainStage stops at an aborted signal with its reason', async function () {
    const model = build(['representation']);
    const controller = new AbortController();
    controller.abort(new Error('stopped by test'));
    const schedule = config.schedule.representation;
    if (schedule === undefined) throw new Error('tiny.yaml has no representation schedule');
    let calls = 0;
    const run = trainStage(model, {
      stage: 'representation',
      schedule,
      rng: seededRng(0),
      signal: controller.signal,
      batchAt: () => {
        calls += 1;
        return batch();
      },
    });
    try {
      await run;
      expect.fail('expected the abort reason');
    } catch (error) {
      expect((error as Error).message).to.equal('stopped by test');
    }
    expect(calls).to.equal(0);
  });
});
