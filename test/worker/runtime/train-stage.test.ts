// The stage trainer on one rank (the group of one) over local shards and a local checkpoint store: both stages
// chain (stage 2 from stage 1's final checkpoint), a run stopped mid-stage and resumed ends with the same bits
// as one that never stopped (weights, momentum, FCBL's LTI, FHM, RNG and data cursor all restored), and an
// absurd learning rate fails with LossDiverged before the step is applied, keeping the last good checkpoint.
// The multi-rank paths (real collectives, SIGKILL) are tested through bacl-worker and `baclctl run`.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { loadTrainingConfig, type TrainingConfig } from '../../../common/internal.js';
import { openDatasetSource, prepareShards, writeSynthDataset } from '../../../data/internal.js';
import {
  classifierForStages,
  decodeSharedState,
  Detector,
  listCheckpoints,
  LocalCheckpointStore,
  LossDivergedError,
  modelArrays,
  openTrainDataset,
  readCheckpoint,
  readLatestPointer,
  runStage,
  SoloCollective,
  type StageEvent,
  type StageRunOptions,
  type TrainDataset,
} from '../../../worker/internal.js';
import { makeWorkDir } from '../../harness/workdir.js';
import { useBackend } from '../tf/helpers.js';

const micro = (sets: string[] = []): TrainingConfig =>
  loadTrainingConfig('tiny', {
    sets: [
      'schedule.representation.iterations=5',
      'schedule.representation.warmup_iters=2',
      'schedule.representation.lr_steps=[4]',
      'schedule.representation.base_batch_size=2',
      'schedule.classifier.iterations=4',
      'schedule.classifier.lr_steps=[3]',
      'schedule.classifier.base_batch_size=2',
      'model.roi_head.num_classes=4',
      'data.synth.categories=4', // the schema keeps num_classes and the synth recipe equal (ADR 0024)
      ...sets,
    ],
  }).config;

async function digest(detector: Detector): Promise<string> {
  const hash = createHash('sha256');
  for (const array of await modelArrays(detector)) {
    hash.update(array.name);
    hash.update(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength));
  }
  if (detector.fhm !== undefined) {
    const snapshot = await detector.fhm.snapshot();
    hash.update(new Uint8Array(snapshot.means.buffer));
    hash.update(new Uint8Array(snapshot.variances.buffer));
  }
  return hash.digest('hex');
}

describe('worker/runtime runStage (one rank, local store)', function () {
  this.timeout(600_000);
  before(() => useBackend('wasm'));
  let dataset: TrainDataset;
  let detectors: Detector[] = [];

  before(async function () {
    const dir = makeWorkDir('train-stage');
    const synth = await writeSynthDataset(join(dir, 'synth'), {
      categories: 4,
      trainImages: 8,
      valImages: 0,
      seed: 3,
      minImageSize: 96,
      maxImageSize: 128,
      maxCategoriesPerImage: 2,
    });
    const out = join(dir, 'shards');
    await prepareShards({ annotations: synth.files.train, images: synth.files.images, out });
    dataset = await openTrainDataset(openDatasetSource(out), micro());
  });
  afterEach(function () {
    for (const detector of detectors) detector.dispose();
    detectors = [];
  });

  /** Variables are named globally in tfjs, so one detector lives at a time: this disposes the previous one. */
  const detectorFor = (config: TrainingConfig): Detector => {
    for (const old of detectors) old.dispose();
    detectors = [];
    const detector = new Detector({
      model: config.model,
      losses: config.losses,
      seed: config.seed,
      classifier: classifierForStages(config.stages),
    });
    detectors.push(detector);
    return detector;
  };

  const options = (
    config: TrainingConfig,
    detector: Detector,
    dir: string,
    stage: 'representation' | 'classifier',
    extra: Partial<StageRunOptions> = {},
  ): StageRunOptions => ({
    detector,
    config,
    stage,
    ...(stage === 'classifier' ? { previousStage: 'representation' as const } : {}),
    collective: new SoloCollective(),
    store: new LocalCheckpointStore(dir),
    dataset,
    configDigest: 'test-config',
    checkpoint: { everySteps: 2, keepLast: 2 },
    now: () => new Date('2026-12-03T00:00:00Z'),
    ...extra,
  });

  /** The weights a stage's latest checkpoint holds, loaded into a fresh detector by a finished-stage rerun. */
  const digestAt = async (config: TrainingConfig, dir: string, stage: 'representation' | 'classifier') => {
    const detector = detectorFor(config);
    await runStage(options(config, detector, dir, stage));
    return digest(detector);
  };

  it('trains both stages, stage 2 from stage 1, checkpointing on schedule and at the end', async function () {
    const config = micro();
    const dir = makeWorkDir('train-stage-both');
    const events: StageEvent[] = [];
    const first = await runStage(
      options(config, detectorFor(config), dir, 'representation', { onEvent: (e) => events.push(e) }),
    );
    expect(first).to.include({
      steps: 5,
      totalSteps: 5,
      completed: true,
      stepsThisRun: 5,
      imagesThisRun: 10,
    });
    const store = new LocalCheckpointStore(dir);
    expect((await readLatestPointer(store, 'representation'))?.step).to.equal(5);
    expect(await store.list('checkpoints/representation')).to.satisfy((names: string[]) =>
      names.every((name) => !name.includes('ckpt-2/')),
    );
    const steps = events.filter((e) => e.kind === 'step');
    expect(steps.map((e) => e.step)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(steps.every((e) => Number.isFinite(e.losses.total) && e.images === 2)).to.equal(true);
    expect(events.filter((e) => e.kind === 'checkpoint').map((e) => e.checkpoint.step)).to.deep.equal([
      2, 4, 5,
    ]);

    const secondEvents: StageEvent[] = [];
    const second = await runStage(
      options(config, detectorFor(config), dir, 'classifier', { onEvent: (e) => secondEvents.push(e) }),
    );
    expect(second).to.include({ steps: 4, completed: true });
    const start = secondEvents.find((e) => e.kind === 'start');
    expect(start?.kind === 'start' && start.from).to.match(/checkpoints\/representation\/ckpt-5$/);
  });

  it('a run stopped mid-stage and resumed ends with the bits of one that never stopped', async function () {
    const config = micro();
    const straight = makeWorkDir('train-stage-straight');
    await runStage(options(config, detectorFor(config), straight, 'representation'));
    const uninterrupted = detectorFor(config);
    await runStage(options(config, uninterrupted, straight, 'classifier'));
    const expected = await digest(uninterrupted);
    const representationDigest = await digestAt(config, straight, 'representation');

    const split = makeWorkDir('train-stage-split');
    await runStage(options(config, detectorFor(config), split, 'representation'));
    const stop = new AbortController();
    const stopped = await runStage(
      options(config, detectorFor(config), split, 'classifier', {
        stopRequested: stop.signal,
        onEvent: (event) => {
          if (event.kind === 'step' && event.step === 1) stop.abort('SIGTERM');
        },
      }),
    );
    expect(stopped).to.include({ steps: 2, completed: false });
    expect(stopped.lastCheckpoint?.step).to.equal(2);
    // A new process: a fresh detector, everything else from the checkpoint.
    const resumedDetector = detectorFor(config);
    const events: StageEvent[] = [];
    const resumed = await runStage(
      options(config, resumedDetector, split, 'classifier', { onEvent: (e) => events.push(e) }),
    );
    expect(resumed).to.include({ steps: 4, completed: true, stepsThisRun: 2 });
    expect(events[0]).to.include({ kind: 'start', startStep: 2, resumed: true });
    expect(await digest(resumedDetector)).to.equal(expected);
    expect(await digestAt(config, split, 'representation')).to.equal(representationDigest);

    // Rerunning a finished stage trains nothing and changes nothing.
    const again = detectorFor(config);
    const rerun = await runStage(options(config, again, split, 'classifier'));
    expect(rerun).to.include({ steps: 4, stepsThisRun: 0, completed: true });
    expect(await digest(again)).to.equal(expected);
  });

  it('an absurd learning rate fails with LossDiverged, naming the stage and step, and keeps the checkpoint', async function () {
    const config = micro(['schedule.representation.lr=1e12', 'schedule.representation.warmup_iters=0']);
    const dir = makeWorkDir('train-stage-diverge');
    const store = new LocalCheckpointStore(dir);
    const detector = detectorFor(config);
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      await runStage(
        options(config, detector, dir, 'representation', { checkpoint: { everySteps: 1, keepLast: 5 } }),
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(LossDivergedError);
    const diverged = error as LossDivergedError;
    expect(diverged.stage).to.equal('representation');
    expect(diverged.reason).to.equal('LossDiverged');
    // Either the summed loss is non-finite (the step not applied), or the step's update made the weights
    // non-finite, found before its checkpoint: either way no checkpoint holds a non-finite weight.
    expect(diverged.message).to.match(
      /LossDiverged: stage representation, step \d+: (loss\w*|weights: \S+) is (NaN|-?Infinity)/,
    );
    const latest = await readLatestPointer(store, 'representation');
    expect(latest?.step).to.equal(diverged.step);
    expect(diverged.lastCheckpoint).to.match(new RegExp(`ckpt-${diverged.step}$`));
    const kept = decodeSharedState(await readCheckpoint(store, 'representation', latest!.step));
    const nonFinite = [...kept.weights, ...kept.optimizer].filter(
      (array) => array.data instanceof Float32Array && array.data.some((value) => !Number.isFinite(value)),
    );
    expect(nonFinite.map((array) => array.name)).to.deep.equal([]);
    expect((await listCheckpoints(store, 'representation')).map((c) => c.step)).to.not.include(
      diverged.step + 1,
    );
    expect(tf.memory().numTensors).to.equal(before);
  });
});
