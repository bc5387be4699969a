// One training stage on one rank of a data-parallel group (issue #13 point 2, spec 1.3-1.5, ADR 0027):
//
//   start     resume: auto -> the stage's latest checkpoint (weights, momentum, FCBL's LTI, this rank's RNG,
//             FHM and data cursor); else stage 2 starts from stage 1's final weights (its LTI and FHM at zero);
//             else the seeded initialisation. Every rank then checks that all ranks hold the same weights.
//   each step the rank's batch -> forward + backward -> the step report all-reduced (fp32: losses, stop flag,
//             images, FCBL increments) -> a non-finite summed loss fails every rank with LossDiverged before
//             anything is applied -> gradients all-reduced (the config's wire) and averaged -> SGD at the
//             schedule's lr x the linear scaling factor -> the summed increments applied to the LTI.
//   checkpoint every `everySteps` steps, at the stage's end and when any rank was asked to stop (SIGTERM):
//             every rank checks the model and momentum are finite (a finite loss can still come with an update
//             that overflows: LossDiverged then, and no checkpoint of those weights; every rank holds the same
//             weights, so all reach the same verdict), then every rank its part, rank 0 the shared part, a
//             barrier, rank 0 commits and prunes, a barrier.
//
// Same seed, config and world size give the same bits, whether or not the run was killed and resumed.
import * as tf from '@tensorflow/tfjs';
import {
  hash32,
  learningRateAt,
  Mulberry32,
  scaledSchedule,
  type StageSchedule,
  type TrainingConfig,
  type TrainingStageName,
} from '../../common/index.js';
import type { Collective, WireFormat } from '../collective/collective.js';
import { sha256 } from '../checkpoint/manifest.js';
import { pruneCheckpoints } from '../checkpoint/prune.js';
import { readCheckpoint, resumeLatest, readLatestPointer } from '../checkpoint/read.js';
import {
  decodeRankState,
  decodeSharedState,
  encodeRankState,
  encodeSharedState,
} from '../checkpoint/state.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { commit, writeRankState, writeSharedState, type CommittedCheckpoint } from '../checkpoint/write.js';
import { collateBatch, filterOptions, trainBatches, trainPipeline, type TrainBatch } from '../data/index.js';
import type { Detector } from '../model/detector.js';
import type { NamedArray } from '../model/weights/index.js';
import { SgdMomentum } from '../model/detector-optimizer.js';
import {
  computeGradients,
  disposeStepGradients,
  finishStep,
  type StepLosses,
} from '../model/detector-step.js';
import { disposeFcblIncrements } from '../model/losses/index.js';
import { LossDivergedError, RankStateError } from './errors.js';
import {
  captureRank,
  captureShared,
  modelArrays,
  restoreModel,
  restoreRank,
  restoreShared,
  type StageCursor,
} from './stage-state.js';
import { GradientLayout, packReport, unpackReport } from './step-sync.js';
import { stepsPerEpoch, type TrainDataset } from './train-data.js';

export interface CheckpointPolicy {
  /** Steps between checkpoints. */
  everySteps: number;
  /** Committed checkpoints kept per stage. */
  keepLast: number;
}

export interface StageRunOptions {
  detector: Detector;
  config: TrainingConfig;
  stage: TrainingStageName;
  /** The stage before this one in config.stages: this stage starts from its final checkpoint. */
  previousStage?: TrainingStageName;
  /**
   * A fresh start of the first stage (nothing to resume, no previous stage): loads the initial weights (the
   * ImageNet backbone) into the detector and says where they came from. @default the seeded initialisation
   */
  initialise?: () => Promise<string>;
  collective: Collective;
  /** Rooted at the run prefix: checkpoints/<stage>/... */
  store: CheckpointStore;
  dataset: TrainDataset;
  /** The effective config's digest: a checkpoint of another config is refused. */
  configDigest: string;
  checkpoint: CheckpointPolicy;
  /** Continue from the stage's latest checkpoint when there is one. @default true (resume: auto) */
  resume?: boolean;
  /** Aborts the run at once (between or inside steps); rejects with the reason. */
  signal?: AbortSignal;
  /** Aborted when the rank is asked to stop (SIGTERM): the group checkpoints after the step in flight. */
  stopRequested?: AbortSignal;
  /** Batches prepared ahead of the step. @default 2 */
  prefetch?: number;
  onEvent?: (event: StageEvent) => void;
  /** @default () => new Date(): the time checkpoints record */
  now?: () => Date;
}

export type StageEvent =
  | {
      kind: 'start';
      stage: TrainingStageName;
      totalSteps: number;
      epochLength: number;
      /** Steps already done (a resume), else 0. */
      startStep: number;
      /** Where the stage started from: a checkpoint URI, the previous stage's, or 'initialisation'. */
      from: string;
      resumed: boolean;
      globalBatch: number;
      /** lr x this is what trains (linear scaling rule). */
      lrScale: number;
    }
  | {
      kind: 'step';
      stage: TrainingStageName;
      /** Steps done, 1-based. */
      step: number;
      totalSteps: number;
      epoch: number;
      /** The step within its epoch, 1-based. */
      epochStep: number;
      epochLength: number;
      lr: number;
      /** Mean over ranks. */
      losses: StepLosses;
      /** Images the whole group trained this step. */
      images: number;
      /** Wall time of the step, of waiting for data, and of the two all-reduces. */
      seconds: number;
      dataSeconds: number;
      commSeconds: number;
    }
  | { kind: 'checkpoint'; stage: TrainingStageName; checkpoint: CommittedCheckpoint };

export interface StageResult {
  stage: TrainingStageName;
  /** Steps done in all (including those before a resume). */
  steps: number;
  totalSteps: number;
  /** False when the group stopped early on a stop request (after checkpointing). */
  completed: boolean;
  /** The last checkpoint this run committed (rank 0 only knows its URI). */
  lastCheckpoint?: CommittedCheckpoint;
  /** Steps and images trained by this run (not counting before a resume), and its wall time. */
  stepsThisRun: number;
  imagesThisRun: number;
  seconds: number;
}

/** The schedule's length in steps: iterations, or epochs x steps per epoch. */
export function stageSteps(schedule: StageSchedule, epochLength: number): number {
  return schedule.iterations ?? (schedule.epochs ?? 0) * epochLength;
}

function scheduleOf(config: TrainingConfig, stage: TrainingStageName): StageSchedule {
  const schedule = config.schedule[stage];
  if (schedule === undefined) {
    throw new RankStateError(
      `the config has no schedule.${stage}. Try this: add one, or drop ${stage} from stages`,
    );
  }
  return schedule;
}

/** Runs (or finishes) one stage; every rank of the group calls it with the same config and stage. */
export async function runStage(options: StageRunOptions): Promise<StageResult> {
  const { detector, config, stage, collective, store, dataset, signal } = options;
  const { rank, worldSize } = collective;
  const started = performance.now();
  const schedule = scheduleOf(config, stage);
  const samplesPerGpu = config.data.samples_per_gpu;
  const epochLength = stepsPerEpoch(dataset, worldSize, samplesPerGpu);
  const totalSteps = stageSteps(schedule, epochLength);
  const globalBatch = worldSize * samplesPerGpu;
  const lrScale = globalBatch / schedule.base_batch_size;
  const trained = scaledSchedule(schedule, globalBatch);
  const wire: WireFormat = config.distributed.gradient_wire;
  const numClasses = stage === 'classifier' ? config.model.roi_head.num_classes : 0;

  const variables = detector.prepareStage(stage);
  const layout = new GradientLayout(variables);
  const optimizer = new SgdMomentum({ momentum: schedule.momentum, weightDecay: schedule.weight_decay });
  const rng = new Mulberry32(hash32(config.seed, 'model-rng', stage, rank));
  let lastCheckpoint: CommittedCheckpoint | undefined;
  let lastCheckpointUri: string | undefined;
  try {
    const start = await startingPoint(options, optimizer, rng);
    lastCheckpointUri = start.checkpointUri;
    await checkSameWeights(detector, collective, stage, signal);
    let cursor = start.cursor;
    options.onEvent?.({
      kind: 'start',
      stage,
      totalSteps,
      epochLength,
      startStep: cursor.step,
      from: start.from,
      resumed: start.resumed,
      globalBatch,
      lrScale,
    });

    const save = async (): Promise<void> => {
      const committed = await saveCheckpoint(options, optimizer, rng, cursor, lastCheckpointUri);
      if (committed !== undefined) {
        lastCheckpoint = committed;
        options.onEvent?.({ kind: 'checkpoint', stage, checkpoint: committed });
      }
      lastCheckpointUri = store.locate(`checkpoints/${stage}/ckpt-${cursor.step}`);
    };

    let stepsThisRun = 0;
    let imagesThisRun = 0;
    let stopped = false;
    const dataSeed = hash32(config.seed, 'data', stage);
    epochs: while (cursor.step < totalSteps) {
      const batches = trainBatches({
        manifest: dataset.manifest,
        source: dataset.source,
        pipeline: trainPipeline(config.data, stage),
        filter: filterOptions(config.data),
        labels: dataset.labels,
        samplesPerGpu,
        seed: dataSeed,
        rank,
        worldSize,
        steps: epochLength,
        cursor: cursor.data,
        prefetch: options.prefetch ?? 2,
        ...(signal === undefined ? {} : { signal }),
      });
      const iterator = batches[Symbol.asyncIterator]();
      try {
        for (;;) {
          const stepStarted = performance.now();
          const next = await iterator.next();
          if (next.done === true) break;
          const dataSeconds = (performance.now() - stepStarted) / 1000;
          const batch: TrainBatch = next.value;
          const lr = learningRateAt(trained, cursor.step, epochLength);
          const outcome = await trainOneStep({
            options,
            variables,
            layout,
            optimizer,
            rng,
            batch,
            lr,
            wire,
            numClasses,
            step: cursor.step,
            lastCheckpointUri: () => lastCheckpointUri,
          });
          cursor = { step: cursor.step + 1, data: batch.next };
          stepsThisRun += 1;
          imagesThisRun += outcome.images;
          options.onEvent?.({
            kind: 'step',
            stage,
            step: cursor.step,
            totalSteps,
            epoch: batch.cursor.epoch + 1,
            epochStep: batch.cursor.step + 1,
            epochLength,
            lr,
            losses: outcome.losses,
            images: outcome.images,
            seconds: (performance.now() - stepStarted) / 1000,
            dataSeconds,
            commSeconds: outcome.commSeconds,
          });
          const done = cursor.step >= totalSteps;
          if (done || outcome.stop || cursor.step % options.checkpoint.everySteps === 0) await save();
          if (outcome.stop && !done) {
            stopped = true;
            break epochs;
          }
          if (done) break epochs;
        }
      } finally {
        await iterator.return?.();
      }
    }
    return {
      stage,
      steps: cursor.step,
      totalSteps,
      completed: !stopped,
      ...(lastCheckpoint === undefined ? {} : { lastCheckpoint }),
      stepsThisRun,
      imagesThisRun,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
  }
}

interface StartingPoint {
  cursor: StageCursor;
  from: string;
  resumed: boolean;
  checkpointUri?: string;
}

async function startingPoint(
  options: StageRunOptions,
  optimizer: SgdMomentum,
  rng: Mulberry32,
): Promise<StartingPoint> {
  const { detector, stage, store, collective, configDigest, signal } = options;
  const fresh: StageCursor = { step: 0, data: { epoch: 0, step: 0 } };
  if (options.resume ?? true) {
    const loaded = await resumeLatest(store, stage, {
      expect: { worldSize: collective.worldSize, configDigest },
      ...(signal === undefined ? {} : { signal }),
    });
    if (loaded !== undefined) {
      restoreShared(detector, optimizer, decodeSharedState(loaded), loaded.uri);
      const cursor = restoreRank(
        detector,
        rng,
        decodeRankState(loaded, collective.rank),
        `${loaded.uri}/rank-${collective.rank}`,
      );
      return { cursor, from: loaded.uri, resumed: true, checkpointUri: loaded.uri };
    }
  }
  const previous = options.previousStage;
  if (previous !== undefined) {
    const pointer = await readLatestPointer(store, previous, signal);
    if (pointer === undefined) {
      throw new RankStateError(
        `stage ${stage} starts from stage ${previous}'s final checkpoint, but ` +
          `${store.locate(`checkpoints/${previous}/latest.json`)} does not exist. Try this: run ${previous} first ` +
          '(or the whole config)',
      );
    }
    const loaded = await readCheckpoint(store, previous, pointer.step, {
      expect: { configDigest },
      manifestSha256: pointer.manifestSha256,
      ...(signal === undefined ? {} : { signal }),
    });
    // Stage 2 keeps stage 1's weights and starts its own LTI, FHM and momentum at zero (spec 1.4).
    restoreModel(detector, decodeSharedState(loaded).weights, `${loaded.uri}/shared/weights`, false);
    return { cursor: fresh, from: loaded.uri, resumed: false };
  }
  const from = options.initialise === undefined ? 'initialisation' : await options.initialise();
  return { cursor: fresh, from, resumed: false };
}

/** Every rank's SHA-256 of its model state; a difference is a bug or a bad checkpoint, never trained past. */
async function checkSameWeights(
  detector: Detector,
  collective: Collective,
  stage: TrainingStageName,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (collective.worldSize === 1) return;
  const arrays = await modelArrays(detector);
  const digest = sha256(
    Buffer.concat(
      arrays.map((array) => Buffer.from(array.data.buffer, array.data.byteOffset, array.data.byteLength)),
    ),
  );
  const all = await collective.allGather(
    new TextEncoder().encode(digest),
    signal === undefined ? {} : { signal },
  );
  const digests = all.map((bytes) => new TextDecoder().decode(bytes));
  const odd = digests.flatMap((value, rank) => (value === digests[0] ? [] : [rank]));
  if (odd.length > 0) {
    throw new RankStateError(
      `stage ${stage}: rank(s) ${odd.join(', ')} start from other weights than rank 0 ` +
        `(SHA-256 ${digests[odd[0]!]!.slice(0, 12)}... vs ${digests[0]!.slice(0, 12)}...). ` +
        'Try this: make every rank read the same config and checkpoint',
    );
  }
}

interface StepInput {
  options: StageRunOptions;
  variables: tf.Variable[];
  layout: GradientLayout;
  optimizer: SgdMomentum;
  rng: Mulberry32;
  batch: TrainBatch;
  lr: number;
  wire: WireFormat;
  numClasses: number;
  step: number;
  lastCheckpointUri: () => string | undefined;
}

interface StepOutcome {
  losses: StepLosses;
  images: number;
  stop: boolean;
  commSeconds: number;
}

async function trainOneStep(input: StepInput): Promise<StepOutcome> {
  const { options, layout, optimizer, batch, numClasses, step } = input;
  const { detector, stage, collective, signal } = options;
  const call = { step, ...(signal === undefined ? {} : { signal }) };
  const network = collateBatch(batch.samples, options.config.data.size_divisor);
  let gradients;
  try {
    gradients = computeGradients(detector, stage, input.variables, network, input.rng.next);
  } finally {
    network.images.dispose();
  }
  let commSeconds = 0;
  try {
    const report = await packReport(
      {
        losses: gradients.losses,
        stop: options.stopRequested?.aborted === true,
        images: batch.samples.length,
        ...(gradients.increments === undefined ? {} : { increments: gradients.increments }),
      },
      numClasses,
    );
    let commStarted = performance.now();
    const summedReport = await collective.allReduceSum(report, { ...call, wire: 'fp32' });
    commSeconds += (performance.now() - commStarted) / 1000;
    const group = unpackReport(summedReport, collective.worldSize, numClasses);
    try {
      if (group.diverged !== undefined) {
        const [term, value] = group.diverged;
        throw new LossDivergedError(stage, step, term, value, input.lastCheckpointUri());
      }
      const vector = await layout.pack(gradients.grads);
      commStarted = performance.now();
      const summed = await collective.allReduceSum(vector, { ...call, wire: input.wire });
      commSeconds += (performance.now() - commStarted) / 1000;
      const mean = layout.unpack(summed, 1 / collective.worldSize);
      try {
        optimizer.step(mean, input.lr);
      } finally {
        tf.dispose(Object.values(mean));
      }
      finishStep(detector, group.increments);
      return { losses: group.losses, images: group.images, stop: group.stop, commSeconds };
    } finally {
      if (group.increments !== undefined) disposeFcblIncrements(group.increments);
    }
  } finally {
    disposeStepGradients(gradients);
  }
}

/** The first float array holding a NaN or an infinity, and that value; undefined when all are finite. */
function firstNonFinite(arrays: readonly NamedArray[]): { name: string; value: number } | undefined {
  for (const array of arrays) {
    if (!(array.data instanceof Float32Array)) continue;
    for (const value of array.data) if (!Number.isFinite(value)) return { name: array.name, value };
  }
  return undefined;
}

/** Every rank writes its part; rank 0 the shared part, then (after a barrier) commits and prunes. */
async function saveCheckpoint(
  options: StageRunOptions,
  optimizer: SgdMomentum,
  rng: Mulberry32,
  cursor: StageCursor,
  lastCheckpointUri: string | undefined,
): Promise<CommittedCheckpoint | undefined> {
  const { detector, stage, store, collective, signal } = options;
  const call = { step: cursor.step, ...(signal === undefined ? {} : { signal }) };
  // Read on every rank, written by rank 0: a model that is not finite is never checkpointed (ADR 0035).
  const shared = await captureShared(detector, optimizer);
  const bad = firstNonFinite([...shared.weights, ...shared.optimizer]);
  if (bad !== undefined) {
    throw new LossDivergedError(stage, cursor.step - 1, `weights: ${bad.name}`, bad.value, lastCheckpointUri);
  }
  const rankState = await captureRank(detector, rng, cursor);
  await writeRankState(store, stage, cursor.step, collective.rank, encodeRankState(rankState), signal);
  if (collective.rank === 0) {
    await writeSharedState(store, stage, cursor.step, encodeSharedState(shared), signal);
  }
  await collective.barrier(call);
  let committed: CommittedCheckpoint | undefined;
  if (collective.rank === 0) {
    committed = await commit(store, {
      stage,
      step: cursor.step,
      worldSize: collective.worldSize,
      configDigest: options.configDigest,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(signal === undefined ? {} : { signal }),
    });
    await pruneCheckpoints(store, stage, options.checkpoint.keepLast, signal);
  }
  // No rank goes on before latest.json is in place: the next stage (or an evaluation) reads it at once.
  await collective.barrier(call);
  return committed;
}
