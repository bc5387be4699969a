// Same seed + config => same bits, on every installed backend: two fresh detectors trained for a few steps on the
// same batches give bit-identical losses at every step (resume equivalence rests on this). On the native backend
// this holds with oneDNN on (TensorFlow's default) at a fixed thread count; docs/adr/0021 says what changes bits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { classifierForStages, Detector, initTf, prepareBatch, trainStage } from '../../../worker/internal.js';
import { seededRng } from '../../../common/index.js';
import { forEachBackend } from '../tf/helpers.js';
import { synthTrainImages, tinyConfig, type SynthImages } from './detector-fixture.js';

describe('worker/model detector: same seed, same bits', function () {
  this.timeout(300_000);
  let dir: string;
  let data: SynthImages;
  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'bacl-detector-bits-'));
    data = await synthTrainImages(dir, { images: 4, categories: 3, seed: 3 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The total loss of each of 6 steps, as float64 bits. */
  async function lossBits(): Promise<string[]> {
    const config = tinyConfig([
      'schedule.representation.iterations=6',
      'schedule.representation.lr_steps=[6]',
    ]);
    const schedule = config.schedule.representation;
    if (schedule === undefined) throw new Error('tiny.yaml has no representation schedule');
    const detector = new Detector({
      model: config.model,
      losses: config.losses,
      seed: config.seed,
      classifier: classifierForStages(['representation']),
    });
    try {
      const scale = config.data.train_scales[0] as [number, number];
      const result = await trainStage(detector, {
        stage: 'representation',
        schedule,
        rng: seededRng(config.seed + 1),
        batchAt: (iteration) =>
          prepareBatch(data.images.slice((iteration * 2) % 4, ((iteration * 2) % 4) + 2), {
            scale,
            sizeDivisor: config.data.size_divisor,
          }),
      });
      return result.losses.map((l) => Buffer.from(new Float64Array([l.total]).buffer).toString('hex'));
    } finally {
      detector.dispose();
    }
  }

  forEachBackend(['wasm', 'tensorflow'], (backend) => {
    it('two runs of 6 training steps give bit-identical losses', async () => {
      await initTf({ backend });
      const first = await lossBits();
      const second = await lossBits();
      expect(first).to.have.length(6);
      expect(second).to.deep.equal(first);
      await initTf({ backend: 'wasm' });
    });
  });
});
