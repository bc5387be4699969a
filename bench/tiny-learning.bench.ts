// Does a synth config learn, and how long does it take (issue #13 point 8, ADR 0024)? `npm run bench --
// tiny-learning` trains the config's stages in one process on wasm with what `baclctl run --workers 2` feeds
// its ranks: the config's synthetic dataset (ensureSynthDataset, cached under ~/.cache/bacl/bench/), prepared
// into shards, two rank loaders (trainBatches, rank 0 and 1 of 2) whose batches are concatenated into the
// global batch of 2 x samples_per_gpu, the schedule's lr scaled to that batch (scaledSchedule), then inference
// over the val split and the LVIS evaluator. Figures: AP, AP50, APr, APc, APf on val, seconds per stage and
// per step, and the estimated wall time of the 2-rank run: each rank steps on its own core at about half this
// process's per-step time (the batch halves), so estimate = training / 2 + evaluation + preparation. That
// estimate ignores the all-reduce (the tiny model has 324 k parameters: 1.3 MB of fp32 gradients a step) and assumes two free cores.
//
// Environment: BACL_BENCH_CONFIG (default tiny), BACL_BENCH_SET (`;`-separated `a.b=c` overrides, as
// `baclctl run --set`), BACL_BENCH_WORKERS (ranks simulated, default 2).
import { mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  hash32,
  loadLvisGroundTruth,
  loadTrainingConfig,
  scaledSchedule,
  seededRng,
  type LvisGroundTruth,
  type TrainingConfig,
  type TrainingStageName,
} from '../common/internal.js';
import {
  decodeJpeg,
  ensureSynthDataset,
  evaluateLvis,
  openDatasetSource,
  prepareShards,
  readShardManifest,
  synthImagePath,
  synthOptionsFromConfig,
  type DatasetSource,
  type ShardManifest,
} from '../data/internal.js';
import {
  classifierForStages,
  collateBatch,
  Detector,
  detectLvis,
  epochSteps,
  filterOptions,
  initTf,
  labelMap,
  prepareBatch,
  trainBatches,
  trainingGroupSizes,
  trainPipeline,
  trainStage,
  type StepLosses,
  type TrainBatch,
} from '../worker/internal.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const configName = process.env.BACL_BENCH_CONFIG ?? 'tiny';
const sets = (process.env.BACL_BENCH_SET ?? '')
  .split(';')
  .map((s) => s.trim())
  .filter((s) => s.length > 0);
const workers = Number(process.env.BACL_BENCH_WORKERS ?? '2');

interface Prepared {
  source: DatasetSource;
  manifest: ShardManifest;
  train: LvisGroundTruth;
  val: LvisGroundTruth;
  images: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The config's synthetic dataset and its train shards, cached by recipe. */
async function prepare(config: TrainingConfig, signal: AbortSignal): Promise<Prepared> {
  const recipe = config.data.synth;
  if (config.data.dataset !== 'synth' || recipe === undefined) {
    throw new Error(`${configName} is not a synth config; this bench generates its data`);
  }
  const masks = config.data.representation_pipeline !== undefined;
  const key = hash32(JSON.stringify(recipe), masks ? 'masks' : 'boxes').toString(16);
  const root = join(homedir(), '.cache', 'bacl', 'bench', `${configName}-${key}`);
  mkdirSync(root, { recursive: true });
  const synth = await ensureSynthDataset(join(root, 'synth'), synthOptionsFromConfig(recipe), { signal });
  const shards = join(root, 'shards');
  if (!(await exists(join(shards, 'manifest.json')))) {
    await prepareShards({
      annotations: synth.files.train,
      images: synth.files.images,
      out: shards,
      shardBytes: 256 * 1024,
      keepSegmentation: masks,
      signal,
    });
  }
  const source = openDatasetSource(shards);
  return {
    source,
    manifest: await readShardManifest(source),
    train: await loadLvisGroundTruth(synth.files.train),
    val: await loadLvisGroundTruth(synth.files.val),
    images: synth.files.images,
  };
}

/** Rank `rank`'s batches, epoch after epoch, as the runtime's loop would draw them. */
async function* rankBatches(
  config: TrainingConfig,
  data: Prepared,
  stage: TrainingStageName,
  rank: number,
  signal: AbortSignal,
): AsyncGenerator<TrainBatch> {
  const labels = labelMap(data.manifest.categories.map((c) => c.id));
  const filter = filterOptions(config.data);
  const groups = trainingGroupSizes(data.train.images, data.train.annotations, labels, filter.minImageSide);
  const steps = epochSteps(groups, workers, config.data.samples_per_gpu);
  for (let epoch = 0; ; epoch++) {
    yield* trainBatches({
      manifest: data.manifest,
      source: data.source,
      pipeline: trainPipeline(config.data, stage),
      filter,
      labels,
      samplesPerGpu: config.data.samples_per_gpu,
      seed: hash32(config.seed, stage),
      rank,
      worldSize: workers,
      steps,
      cursor: { epoch, step: 0 },
      signal,
    });
  }
}

async function trainOneStage(
  detector: Detector,
  config: TrainingConfig,
  data: Prepared,
  stage: TrainingStageName,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<{ iterations: number; seconds: number }> {
  const base = config.schedule[stage];
  if (base === undefined) throw new Error(`${configName} has no schedule for ${stage}`);
  const schedule = scaledSchedule(base, workers * config.data.samples_per_gpu);
  const ranks = Array.from({ length: workers }, (_, rank) =>
    rankBatches(config, data, stage, rank, signal)[Symbol.asyncIterator](),
  );
  const batchAt = async (): Promise<ReturnType<typeof collateBatch>> => {
    const parts = await Promise.all(ranks.map((rank) => rank.next()));
    const samples = parts.flatMap((part) => (part.done === true ? [] : part.value.samples));
    return collateBatch(samples, config.data.size_divisor);
  };
  const started = performance.now();
  let window: StepLosses[] = [];
  const result = await trainStage(detector, {
    stage,
    schedule,
    rng: seededRng(hash32(config.seed, stage, 'train')),
    batchAt,
    signal,
    onStep: (iteration, losses, lr) => {
      window.push(losses);
      if ((iteration + 1) % 25 === 0) {
        const mean = (key: keyof StepLosses) => window.reduce((a, b) => a + b[key], 0) / window.length;
        const terms = (['rpnCls', 'rpnBbox', 'roiCls', 'roiBbox'] as const)
          .map((key) => `${key} ${mean(key).toPrecision(3)}`)
          .join(', ');
        const seconds = (performance.now() - started) / 1000;
        log(
          `${stage} ${iteration + 1}: loss ${mean('total').toPrecision(4)} (${terms}), ` +
            `lr ${lr.toExponential(2)}, ${seconds.toFixed(0)} s`,
        );
        window = [];
      }
    },
  });
  await Promise.all(ranks.map((rank) => rank.return?.(undefined)));
  return { iterations: result.iterations, seconds: (performance.now() - started) / 1000 };
}

async function evaluateVal(detector: Detector, config: TrainingConfig, data: Prepared) {
  const categoryIds = data.manifest.categories.map((c) => c.id).sort((a, b) => a - b);
  const batch = config.data.samples_per_gpu;
  const rows = [];
  for (let first = 0; first < data.val.images.length; first += batch) {
    const images = data.val.images.slice(first, first + batch);
    const decoded = await Promise.all(
      images.map(async (image) => {
        const path = join(data.images, synthImagePath({ id: image.id, split: 'val' }));
        const pixels = await decodeJpeg(await readFile(path));
        return {
          data: new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength),
          width: pixels.width,
          height: pixels.height,
          gtBoxes: new Float32Array(0),
          gtLabels: new Int32Array(0),
        };
      }),
    );
    const prepared = prepareBatch(decoded, {
      scale: config.data.test_scale,
      sizeDivisor: config.data.size_divisor,
    });
    try {
      rows.push(
        ...detectLvis(
          detector,
          prepared,
          images.map((image) => image.id),
          categoryIds,
        ),
      );
    } finally {
      tf.dispose(prepared.images);
    }
  }
  return evaluateLvis(data.val, rows).metrics;
}

const benchmark: Benchmark = {
  title: `${configName}: learning on its synthetic val split, ${workers} simulated ranks, wasm`,
  async run({ signal, log }) {
    await initTf({ backend: 'wasm' });
    const config = loadTrainingConfig(configName, { sets }).config;
    log(`config ${configName}${sets.length > 0 ? ` with ${sets.join(', ')}` : ''}`);
    const preparing = performance.now();
    const data = await prepare(config, signal);
    const prepareSeconds = (performance.now() - preparing) / 1000;
    const groups = { r: 0, c: 0, f: 0 };
    for (const category of data.train.categories) groups[category.frequency] += 1;
    log(
      `data: ${data.train.images.length} train / ${data.val.images.length} val images, ` +
        `r/c/f ${groups.r}/${groups.c}/${groups.f}, prepared in ${prepareSeconds.toFixed(1)} s`,
    );
    const detector = new Detector({
      model: config.model,
      losses: config.losses,
      seed: config.seed,
      classifier: classifierForStages(config.stages),
    });
    const figures: BenchFigure[] = [];
    let trainSeconds = 0;
    try {
      for (const stage of config.stages) {
        const { iterations, seconds } = await trainOneStage(detector, config, data, stage, log, signal);
        trainSeconds += seconds;
        figures.push(
          { name: `${stage}: ${iterations} steps`, value: seconds, unit: 's' },
          {
            name: `${stage}: per step (batch ${workers * config.data.samples_per_gpu})`,
            value: (seconds / iterations) * 1000,
            unit: 'ms',
          },
        );
      }
      const evaluating = performance.now();
      const metrics = await evaluateVal(detector, config, data);
      const evalSeconds = (performance.now() - evaluating) / 1000;
      for (const key of ['AP', 'AP50', 'APr', 'APc', 'APf'] as const) {
        figures.push({ name: `val ${key}`, value: metrics[key], unit: '' });
      }
      figures.push(
        { name: 'val inference + evaluation', value: evalSeconds, unit: 's' },
        {
          name: `estimated ${workers}-rank run (training / ${workers} + eval)`,
          value: trainSeconds / workers + evalSeconds + prepareSeconds,
          unit: 's',
        },
      );
      return figures;
    } finally {
      detector.dispose();
    }
  },
};

export default benchmark;
