// Shared set-up of the evaluate-stage tests: a small synthetic LVIS subset (data/synth) whose val split is
// prepared into several shards (data/shards), and the tiny config's detector, untrained or trained a few steps
// on the train split so that its detections score above zero.
import { join } from 'node:path';
import {
  loadLvisGroundTruth,
  loadTrainingConfig,
  seededRng,
  type LvisGroundTruth,
  type TrainingConfig,
} from '../../../common/internal.js';
import {
  openDatasetSource,
  prepareShards,
  readShardManifest,
  writeSynthDataset,
  type DatasetSource,
  type ShardManifest,
} from '../../../data/internal.js';
import {
  classifierForStages,
  Detector,
  prepareBatch,
  trainStage,
  type SourceImage,
} from '../../../worker/internal.js';
import { decodeSynthSplit } from '../model/detector-fixture.js';

export interface EvalFixture {
  config: TrainingConfig;
  /** The val annotation file (what `baclctl eval --gt` reads). */
  valFile: string;
  groundTruth: LvisGroundTruth;
  manifest: ShardManifest;
  source: DatasetSource;
  train: SourceImage[];
}

/** Writes the subset under `dir` and prepares its val split into shards of about `shardBytes`. */
export async function evalFixture(
  dir: string,
  options: { trainImages: number; valImages: number; seed: number; shardBytes: number },
): Promise<EvalFixture> {
  // Four categories: the few images this fixture writes cannot hold tiny's twelve long-tailed ones.
  const config = loadTrainingConfig('tiny', {
    sets: ['model.roi_head.num_classes=4', 'data.synth.categories=4'],
  }).config;
  const synth = await writeSynthDataset(join(dir, 'synth'), {
    categories: config.model.roi_head.num_classes,
    trainImages: options.trainImages,
    valImages: options.valImages,
    seed: options.seed,
    minImageSize: 96,
    maxImageSize: 128,
    maxCategoriesPerImage: 2,
  });
  const out = join(dir, 'val-shards');
  await prepareShards({
    annotations: synth.files.val,
    images: synth.files.images,
    out,
    shardBytes: options.shardBytes,
  });
  const source = openDatasetSource(out);
  const manifest = await readShardManifest(source);
  const { images: train } = await decodeSynthSplit(synth.files.train, synth.files.images, 'train');
  return {
    config,
    valFile: synth.files.val,
    groundTruth: await loadLvisGroundTruth(synth.files.val),
    manifest,
    source,
    train,
  };
}

/** The tiny config's detector after `steps` stage-1 steps on the train images (0: as initialised). */
export async function tinyDetector(fixture: EvalFixture, steps: number): Promise<Detector> {
  const { config } = fixture;
  const detector = new Detector({
    model: config.model,
    losses: config.losses,
    seed: config.seed,
    classifier: classifierForStages(['representation']),
  });
  const schedule = config.schedule.representation;
  if (steps === 0 || schedule === undefined) return detector;
  const scale = config.data.train_scales[0] as [number, number];
  const batch = config.data.samples_per_gpu;
  await trainStage(detector, {
    stage: 'representation',
    schedule: { ...schedule, iterations: steps, warmup_iters: Math.min(schedule.warmup_iters, steps) },
    rng: seededRng(config.seed + 1),
    batchAt: (iteration) => {
      const first = (iteration * batch) % fixture.train.length;
      return prepareBatch(fixture.train.slice(first, first + batch), {
        scale,
        sizeDivisor: config.data.size_divisor,
      });
    },
  });
  return detector;
}
