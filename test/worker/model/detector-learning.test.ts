// Issue #6's learning test, on issue #13's long-tailed tiny data (ADR 0024): the tiny config's detector trains
// stage 1 (representation: BCE + L1, everything trained) on the train split of tiny.yaml's own synthetic
// dataset (data.synth: 12 categories, rare, common and frequent) and is evaluated on its val split, on the wasm
// backend and on the native one (tfjs-node, issue #12) where scripts/tf-native.sh installed it (CI does).
// To stay CI-sized it runs a shortened stage 1 (STEPS steps of one process at samples_per_gpu images, lr
// scaled to that batch by the config's base_batch_size) instead of the full two-stage `baclctl run tiny`
// (whose figures, AP50 0.94 on val, are in ADR 0024 and `npm run bench -- tiny-learning`).
// Floors, from measurement with margin (ADR 0024: this test measured loss 7.65 -> 0.79 and val AP50 0.532 on
// wasm, 7.65 -> 0.78 and 0.485 on native): the mean loss of the last 8 steps at most a third of the first 8
// steps' (measured 9.7x), val AP50 above 0.3, the issue's goal for the full run. Seeded, so the run is the
// same every time; the timeout is a guard.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { SeededRandom, scaledSchedule, seededRng } from '../../../common/internal.js';
import { ensureSynthDataset, evaluateLvis, synthOptionsFromConfig } from '../../../data/internal.js';
import {
  classifierForStages,
  Detector,
  detectLvis,
  initTf,
  prepareBatch,
  trainStage,
  type StepLosses,
} from '../../../worker/internal.js';
import { forEachBackend } from '../tf/helpers.js';
import { decodeSynthSplit, tinyConfig } from './detector-fixture.js';

type Split = Awaited<ReturnType<typeof decodeSynthSplit>>;

const STEPS = 400;
const WINDOW = 8;
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

describe('worker/model detector: the tiny config learns its long-tailed synthetic data', function () {
  this.timeout(900_000);
  const config = tinyConfig();
  let dir: string;
  let train: Split;
  let val: Split;
  let detector: Detector | undefined;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'bacl-detector-learn-'));
    const recipe = config.data.synth;
    if (recipe === undefined) throw new Error('tiny.yaml has no data.synth');
    const synth = await ensureSynthDataset(join(dir, 'synth'), synthOptionsFromConfig(recipe));
    train = await decodeSynthSplit(synth.files.train, synth.files.images, 'train');
    val = await decodeSynthSplit(synth.files.val, synth.files.images, 'val');
  });
  afterEach(function () {
    detector?.dispose();
    detector = undefined;
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  forEachBackend(['wasm', 'tensorflow'], (backend) => {
    it(`loss falls at least 3x in ${STEPS} steps and val AP50 is above 0.3`, async function () {
      await initTf({ backend });
      const base = config.schedule.representation;
      if (base === undefined) throw new Error('tiny.yaml has no representation schedule');
      const batchSize = config.data.samples_per_gpu;
      const schedule = scaledSchedule(
        { ...base, iterations: STEPS, lr_steps: [Math.round(STEPS * 0.8)] },
        batchSize,
      );
      const model = new Detector({
        model: config.model,
        losses: config.losses,
        seed: config.seed,
        classifier: classifierForStages(['representation']),
      });
      detector = model;
      const scale = config.data.train_scales[0] as [number, number];
      // A new seeded order of the train images every epoch.
      const perEpoch = Math.floor(train.images.length / batchSize);
      let order: number[] = [];
      const started = Date.now();
      const history: StepLosses[] = [];
      const result = await trainStage(model, {
        stage: 'representation',
        schedule,
        rng: seededRng(config.seed + 1),
        batchAt: (iteration) => {
          const step = iteration % perEpoch;
          if (step === 0) {
            const epoch = iteration / perEpoch;
            order = SeededRandom.derive(config.seed, 'learning-order', epoch).shuffle(
              train.images.map((_, i) => i),
            );
          }
          const images = order.slice(step * batchSize, (step + 1) * batchSize).map((i) => train.images[i]!);
          return prepareBatch(images, { scale, sizeDivisor: config.data.size_divisor });
        },
        onStep: (_, losses) => history.push(losses),
      });
      const trainSeconds = (Date.now() - started) / 1000;
      const firstLoss = mean(history.slice(0, WINDOW).map((l) => l.total));
      const lastLoss = mean(history.slice(-WINDOW).map((l) => l.total));

      const categoryIds = val.gt.categories.map((c) => c.id).sort((a, b) => a - b);
      const rows = [];
      for (let first = 0; first < val.images.length; first += batchSize) {
        const batch = prepareBatch(val.images.slice(first, first + batchSize), {
          scale: config.data.test_scale,
          sizeDivisor: config.data.size_divisor,
        });
        const ids = val.gt.images.slice(first, first + batchSize).map((image) => image.id);
        try {
          rows.push(...detectLvis(model, batch, ids, categoryIds));
        } finally {
          tf.dispose(batch.images);
        }
      }
      const { metrics } = evaluateLvis(val.gt, rows);
      console.log(
        `      ${result.iterations} steps in ${trainSeconds.toFixed(1)} s; loss ${firstLoss.toFixed(3)} -> ` +
          `${lastLoss.toFixed(3)}; val AP50 ${metrics.AP50.toFixed(3)}, AP ${metrics.AP.toFixed(3)}, ` +
          `APr ${metrics.APr.toFixed(3)}, APc ${metrics.APc.toFixed(3)}, APf ${metrics.APf.toFixed(3)}`,
      );
      expect(lastLoss * 3, 'loss fell at least 3x').to.be.at.most(firstLoss);
      expect(metrics.AP50).to.be.above(0.3);
    });
  });
});
