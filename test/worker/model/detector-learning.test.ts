// Issue #6's learning test: the tiny config overfits 8 synthetic images on the wasm backend, and on the native
// backend (tfjs-node, issue #12) where scripts/tf-native.sh installed it (CI does). Stage 1
// (representation: BCE + L1, everything trained) runs tiny.yaml's schedule; then the mean loss of the last 8
// steps must be at most a fifth of the first 8 steps' mean, and LVIS AP50 on those same images must exceed
// 0.5. Seeded, so the run is the same every time; the timeout is only a guard.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { evaluateLvis } from '../../../data/index.js';
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
import { synthTrainImages, tinyConfig, type SynthImages } from './detector-fixture.js';
import { seededRng } from '../../../common/index.js';

const WINDOW = 8;
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

describe('worker/model detector: the tiny config learns 8 synthetic images', function () {
  this.timeout(600_000);
  let dir: string;
  let data: SynthImages;
  let detector: Detector | undefined;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'bacl-detector-learn-'));
    data = await synthTrainImages(dir, { images: 8, categories: 4, seed: 7 });
  });
  afterEach(function () {
    detector?.dispose();
    detector = undefined;
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  forEachBackend(['wasm', 'tensorflow'], (backend) => {
    it('loss falls at least 5x and AP50 on the training images is above 0.5', async function () {
      await initTf({ backend });
      const config = tinyConfig();
      const schedule = config.schedule.representation;
      if (schedule === undefined) throw new Error('tiny.yaml has no representation schedule');
      const model = new Detector({
        model: config.model,
        losses: config.losses,
        seed: config.seed,
        classifier: classifierForStages(['representation']),
      });
      detector = model;
      const scale = config.data.train_scales[0] as [number, number];
      const batchSize = config.data.samples_per_gpu;
      const started = Date.now();
      const history: StepLosses[] = [];
      const result = await trainStage(model, {
        stage: 'representation',
        schedule,
        rng: seededRng(config.seed + 1),
        batchAt: (iteration) => {
          const first = (iteration * batchSize) % data.images.length;
          const images = data.images.slice(first, first + batchSize);
          return prepareBatch(images, { scale, sizeDivisor: config.data.size_divisor });
        },
        onStep: (_, losses) => history.push(losses),
      });
      const trainSeconds = (Date.now() - started) / 1000;
      const firstLoss = mean(history.slice(0, WINDOW).map((l) => l.total));
      const lastLoss = mean(history.slice(-WINDOW).map((l) => l.total));

      const rows = [];
      for (let first = 0; first < data.images.length; first += batchSize) {
        const batch = prepareBatch(data.images.slice(first, first + batchSize), {
          scale: config.data.test_scale,
          sizeDivisor: config.data.size_divisor,
        });
        try {
          rows.push(
            ...detectLvis(model, batch, data.imageIds.slice(first, first + batchSize), data.categoryIds),
          );
        } finally {
          tf.dispose(batch.images);
        }
      }
      const { metrics } = evaluateLvis(data.gt, rows);
      console.log(
        `      ${result.iterations} steps in ${trainSeconds.toFixed(1)} s; loss ${firstLoss.toFixed(3)} -> ` +
          `${lastLoss.toFixed(3)}; AP50 ${metrics.AP50.toFixed(3)}, AP ${metrics.AP.toFixed(3)}`,
      );
      expect(lastLoss * 5, 'loss fell at least 5x').to.be.at.most(firstLoss);
      expect(metrics.AP50).to.be.above(0.5);
    });
  });
});
