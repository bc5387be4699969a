import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { parse } from 'yaml';
import {
  baclJobSchema,
  ConfigValidationError,
  learningRateAt,
  loadTrainingConfig,
  scaledSchedule,
  stageScheduleSchema,
  trainingConfigSchema,
} from '../../../common/internal.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const configDir = fileURLToPath(new URL('../../../configs', import.meta.url));
const entryNames = readdirSync(configDir)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.replace(/\.yaml$/, ''));

describe('common/training-config: configs/', function () {
  it('has the entry configs the issue lists', function () {
    for (const name of ['lvis_v1', 'lvis_v0.5', 'lvis_v1_r101', 'lvis_v1_baseline', 'tiny', 'small']) {
      expect(entryNames).to.include(name);
    }
  });

  for (const name of entryNames) {
    it(`${name} resolves and validates`, function () {
      const { config } = loadTrainingConfig(name, { configDir });
      for (const stage of config.stages) expect(config.schedule[stage], stage).to.not.equal(undefined);
    });
  }

  it('lvis_v1 carries the spec values (1.1-1.4, 2.8, 3.7)', function () {
    const { config } = loadTrainingConfig('lvis_v1', { configDir });
    expect(config.stages).to.deep.equal(['representation', 'classifier']);
    expect(config.model.roi_head.num_classes).to.equal(1203);
    expect(config.model.backbone).to.include({ depth: 50, frozen_stages: 1 });
    expect(config.model.rpn_head.train_proposals.nms_post).to.equal(2000);
    expect(config.losses.classifier.fcbl).to.include({ alpha: 0.85, prob_thr: 0.7 });
    expect(config.losses.classifier.fhm).to.include({ sampled_num_classes: 8, sampled_num_features: 12 });
    expect(config.schedule.representation).to.include({ lr: 0.02, weight_decay: 5e-5, epochs: 12 });
    expect(config.schedule.classifier).to.include({ weight_decay: 1e-4 });
    expect(config.data.samples_per_gpu).to.equal(2);
    expect(config.data.representation_pipeline).to.deep.equal({
      img_scale: 1280,
      ratio_range: [0.8, 1.25],
      crop_size: 1280,
      copy_paste_max: 100,
      copy_paste_bbox_occluded_thr: 10,
      copy_paste_mask_occluded_thr: 300,
      min_gt_bbox_wh: 0.01,
    });
    expect(config.data.min_image_side).to.equal(32);
  });

  it('the v0.5, R101 and baseline variants differ where the spec says', function () {
    expect(loadTrainingConfig('lvis_v0.5', { configDir }).config.model.roi_head.num_classes).to.equal(1230);
    const r101 = loadTrainingConfig('lvis_v1_r101', { configDir }).config;
    expect(r101.model.backbone).to.include({ depth: 101, pretrained: 'torchvision://resnet101' });
    const baseline = loadTrainingConfig('lvis_v1_baseline', { configDir }).config;
    expect(baseline.stages).to.deep.equal(['baseline']);
    expect(baseline.model.rpn_head.train_proposals.nms_post).to.equal(1000);
    expect(baseline.schedule.baseline).to.include({ epochs: 24 });
    expect(baseline.schedule.baseline?.lr_steps).to.deep.equal([16, 22]);
  });

  it('names the file, line and field of a bad value', function () {
    try {
      loadTrainingConfig('tiny', { configDir, sets: ['model.roi_head.num_classes=0'] });
      expect.fail('expected a ConfigValidationError');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigValidationError);
      expect(String((error as Error).message)).to.contain('model.roi_head.num_classes');
    }
  });

  it('refuses a stage without a schedule and tiny-only fields on R50', function () {
    expect(() =>
      loadTrainingConfig('lvis_v1_baseline', { configDir, sets: ['stages=[representation]'] }),
    ).to.throw(ConfigValidationError, /schedule\.representation/);
    expect(() =>
      loadTrainingConfig('lvis_v1', { configDir, sets: ['model.backbone.planes=[1,2,3,4]'] }),
    ).to.throw(ConfigValidationError, /model\.backbone\.planes/);
  });

  it('tiny and small name their synthetic dataset; tiny checkpoints every 50 steps (issue #13 point 8)', function () {
    const tiny = loadTrainingConfig('tiny', { configDir }).config;
    expect(tiny.data.synth).to.include({ categories: 12 });
    expect(tiny.model.roi_head.num_classes).to.equal(12);
    expect(tiny.checkpoint).to.deep.equal({ every_steps: 50, keep_last: 3 });
    const small = loadTrainingConfig('small', { configDir }).config;
    expect(small.data.synth?.categories).to.be.at.least(40);
    expect(small.model.roi_head.num_classes).to.equal(small.data.synth?.categories);
    expect(small.data.synth?.min_image_size).to.be.greaterThan(tiny.data.synth?.max_image_size ?? Infinity);
  });

  it('refuses a synth recipe whose category count is not num_classes, a synth dataset without one, a recipe on LVIS', function () {
    expect(() => loadTrainingConfig('tiny', { configDir, sets: ['model.roi_head.num_classes=4'] })).to.throw(
      ConfigValidationError,
      /model\.roi_head\.num_classes.*data\.synth\.categories generates 12/s,
    );
    expect(() => loadTrainingConfig('tiny', { configDir, sets: ['data.synth.categories=13'] })).to.throw(
      ConfigValidationError,
      /13 classes|generates 13/,
    );
    const tiny = loadTrainingConfig('tiny', { configDir }).resolved;
    const withoutRecipe = structuredClone(tiny.config) as { data: Record<string, unknown> };
    delete withoutRecipe.data.synth;
    expect(
      trainingConfigSchema.safeParse(withoutRecipe).error?.issues.map((i) => i.path.join('.')),
    ).to.include('data.synth');
    expect(() =>
      loadTrainingConfig('lvis_v1', {
        configDir,
        sets: ['data.synth={categories: 1203, train_images: 1, val_images: 0}'],
      }),
    ).to.throw(ConfigValidationError, /only for dataset 'synth'/);
    expect(() => loadTrainingConfig('tiny', { configDir, sets: ['data.synth.colours=3'] })).to.throw(
      ConfigValidationError,
      /colours/,
    );
  });

  it("checkpoint defaults are the BaclJob spec's (every 1000 steps, keep 3)", function () {
    const config = loadTrainingConfig('lvis_v1', { configDir }).config;
    const spec = baclJobSchema.shape.spec.shape.checkpoint.parse({});
    expect(config.checkpoint).to.deep.equal({ every_steps: spec.everySteps, keep_last: spec.keepLast });
  });

  it('scaledSchedule: the linear scaling rule, lr x global batch / base_batch_size', function () {
    const schedule = stageScheduleSchema.parse({ iterations: 10, lr: 0.02, weight_decay: 0 });
    expect(schedule.base_batch_size).to.equal(16);
    expect(scaledSchedule(schedule, 4).lr).to.be.closeTo(0.005, 1e-15);
    expect(scaledSchedule({ ...schedule, base_batch_size: 4 }, 4)).to.deep.equal({
      ...schedule,
      base_batch_size: 4,
    });
  });

  it('learningRateAt: warmup from ratio x lr, then x gamma per passed step (spec 1.3)', function () {
    const schedule = stageScheduleSchema.parse({
      epochs: 12,
      lr: 0.02,
      weight_decay: 5e-5,
      lr_steps: [8, 11],
    });
    expect(learningRateAt(schedule, 0, 100)).to.be.closeTo(0.02 * 0.001, 1e-12);
    expect(learningRateAt(schedule, 250, 100)).to.be.closeTo(0.02 * (1 - 0.5 * 0.999), 1e-12);
    expect(learningRateAt(schedule, 799, 100)).to.be.closeTo(0.02, 1e-12);
    expect(learningRateAt(schedule, 800, 100)).to.be.closeTo(0.002, 1e-12);
    expect(learningRateAt(schedule, 1100, 100)).to.be.closeTo(0.0002, 1e-12);
  });

  it('baclctl config show lvis_v1 prints the resolved config', async function () {
    this.timeout(30_000);
    process.env.NODE_ENV = 'test';
    const { stdout, error } = await runCommand(['config', 'show', 'lvis_v1'], { root });
    expect(error).to.equal(undefined);
    const shown = parse(stdout) as { model: { roi_head: { num_classes: number } }; stages: string[] };
    expect(shown.model.roi_head.num_classes).to.equal(1203);
    expect(shown.stages).to.deep.equal(['representation', 'classifier']);
  });
});
