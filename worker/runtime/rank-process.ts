// One rank process of bacl-worker (issue #13 point 4): the rank environment read once (rank-env.ts), the group
// joined (NATS when NATS_URL is set, else the machine's own sockets, or no transport at all for one rank),
// the stores and datasets opened, and the stages of BACL_STAGE run (run-rank.ts) with rank 0 logging,
// reporting progress and writing TensorBoard scalars. SIGTERM or SIGINT makes the group checkpoint after the
// step in flight and exit 130; a launcher that disappears aborts the rank at once.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  configDigest,
  ExitCode,
  loadTrainingConfig,
  type ExitStatus,
  type JobStage,
  type TrainingConfig,
} from '../../common/index.js';
import {
  describeRetry,
  type S3RetryNotice,
  openDatasetSource,
  readShardManifest,
  type DatasetSource,
} from '../../data/index.js';
import { openCheckpointStore, parseCheckpointUri } from '../checkpoint/open-store.js';
import { finalCheckpointMs, watchTermination } from '../checkpoint/terminate.js';
import type { Collective } from '../collective/collective.js';
import { joinGroup } from '../collective/join-group.js';
import { evaluateStage, loadValGroundTruth } from './evaluate.js';
import { terminationMetrics } from './eval-metrics.js';
import { describeLoaded, loadEvalWeights, readGroundTruthFile } from './eval-weights.js';
import { RankStateError } from './errors.js';
import { launcherSink, watchLauncher } from './launcher-link.js';
import { loadPretrainedBackbone } from './pretrained.js';
import { ProgressPublisher } from './progress-publisher.js';
import { openProgressSink } from './progress-sink.js';
import type { RankEnv } from './rank-env.js';
import { RankReporter, type StageSummary } from './rank-reporter.js';
import { runRank } from './run-rank.js';
import { SoloCollective } from './solo-collective.js';
import { TrainingBoard } from './tensorboard.js';
import type { TfBackendName } from '../tf/index.js';
import type { Detector } from '../model/index.js';
import { openTrainDataset } from './train-data.js';

/** Where a run's summary lands under the run prefix (`baclctl run -o json` reads it). */
export const runSummaryObject = 'logs/run-summary.json';

export interface RunSummary {
  format: 'bacl-run-summary';
  version: 1;
  backend: string;
  workers: number;
  stages: StageSummary[];
  completed: boolean;
}

export interface RankProcessOptions {
  env: RankEnv;
  /** The backend in use, for TensorBoard and the summary. */
  backend: TfBackendName;
  log: (line: string) => void;
  /** Steps between training lines. @default 50 */
  logInterval?: number;
}

function datasetLocation(env: RankEnv, split: 'train' | 'val'): string {
  const location = env.dataset[split];
  if (location === undefined) {
    throw new RankStateError(
      `BACL_DATASET_${split.toUpperCase()} is not set: the ranks read the ${split} split from prepared shards. ` +
        'Try this: set it to the directory or s3:// prefix `baclctl data prepare` wrote',
    );
  }
  return location;
}

/** Runs the rank; resolves with its exit status (errors propagate for bacl-worker's main to map). */
export async function runRankProcess(options: RankProcessOptions): Promise<ExitStatus> {
  const { env, log } = options;
  const { config } = loadTrainingConfig(env.configPath);
  const digest = configDigest(config);
  const hardStop = new AbortController();
  const stopWatchingLauncher = watchLauncher(() =>
    hardStop.abort(
      new RankStateError('the launcher is gone (killed?); this rank stops without a checkpoint'),
    ),
  );
  const termination = watchTermination(
    env.terminationGraceSeconds === undefined
      ? {}
      : { graceMs: finalCheckpointMs(env.terminationGraceSeconds) },
  );
  const needsS3 = [
    env.runUri,
    env.checkpoint.uri,
    env.dataset.train,
    env.dataset.val,
    env.weights,
    env.evalGroundTruth,
  ].some((uri) => uri?.startsWith('s3://'));
  const s3 = needsS3 ? new S3Client(env.s3) : undefined;
  // One policy for every S3 request of the rank (checkpoints, run data, shards, ground truth), its per-attempt
  // deadline from spec.s3.requestTimeoutSeconds; every retry is logged, so an S3 outage the rank rides out
  // shows in its log with the object, the attempt and why (ADR 0040).
  const retry = { policy: env.s3Retry, onRetry: (notice: S3RetryNotice) => log(describeRetry(notice)) };
  const openSource = (location: string): DatasetSource => openDatasetSource(location, s3, retry);
  const storeOptions = s3 === undefined ? {} : { s3, retry: env.s3Retry, onRetry: retry.onRetry };
  const store = openCheckpointStore(env.checkpoint.uri, storeOptions);
  const runStore = env.runUri === env.checkpoint.uri ? store : openCheckpointStore(env.runUri, storeOptions);
  let collective: Collective | undefined;
  const publisher = new ProgressPublisher(await openProgressSink(env, launcherSink(), log));
  const runDir = parseCheckpointUri(env.runUri);
  // TensorBoard files are appended locally; an S3 run prefix gets a copy of them after each stage.
  const tbDir = runDir.kind === 'local' ? join(runDir.dir, 'tb') : await mkdtemp(join(tmpdir(), 'bacl-tb-'));
  const boardFor = (stage: JobStage) =>
    env.group.rank === 0 ? TrainingBoard.open(tbDir, stage, { backend: options.backend }) : undefined;
  const uploadBoards = async () => {
    if (runDir.kind === 'local' || env.group.rank !== 0) return;
    for (const name of await readdir(tbDir, { recursive: true })) {
      const path = join(tbDir, name);
      if ((await stat(path)).isFile())
        await runStore.put(`tb/${name}`, await readFile(path), hardStop.signal);
    }
  };
  const reporter = new RankReporter({
    rank: env.group.rank,
    byEpoch: (stage) => stage !== 'evaluate' && config.schedule[stage]?.epochs !== undefined,
    ...(options.logInterval === undefined ? {} : { logInterval: options.logInterval }),
    log,
    publisher,
    board: boardFor,
  });
  try {
    collective =
      env.group.worldSize === 1
        ? new SoloCollective()
        : await joinGroup(env.group, {
            configDigest: digest,
            socketDir:
              env.socketDir ?? join(tmpdir(), `bacl-${env.namespace}-${env.jobName}-${env.group.attempt}`),
            signal: hardStop.signal,
            log,
          });
    const group = collective;
    const result = await runRank({
      config,
      configDigest: digest,
      stages: env.stages,
      collective: group,
      store,
      trainData: () => openTrainDataset(openSource(datasetLocation(env, 'train')), config, hardStop.signal),
      pretrained: async (detector, pretrained) => {
        const loaded = await loadPretrainedBackbone(detector, pretrained, {
          openSource,
          signal: hardStop.signal,
        });
        return loaded.location;
      },
      ...(env.weights === undefined
        ? {}
        : {
            weights: async (detector: Detector) => {
              const loaded = await loadEvalWeights(detector, env.weights!, {
                openSource,
                signal: hardStop.signal,
              });
              if (env.group.rank === 0) log(describeLoaded(loaded));
            },
          }),
      evaluate: async ({ detector }) =>
        evaluate(config, env, detector, group, runStore, openSource, reporter, hardStop.signal, boardFor),
      checkpoint: {
        everySteps: env.checkpoint.everySteps ?? config.checkpoint.every_steps,
        keepLast: env.checkpoint.keepLast ?? config.checkpoint.keep_last,
      },
      resume: env.resume === 'auto',
      signal: hardStop.signal,
      stopRequested: termination.requested,
      onEvent: (event) => {
        reporter.onEvent(event);
      },
      onStageEnd: async (stage, iterations) => {
        await reporter.endStage(stage, iterations);
        await uploadBoards();
      },
    });
    await uploadBoards();
    if (env.group.rank === 0) {
      const summary: RunSummary = {
        format: 'bacl-run-summary',
        version: 1,
        backend: options.backend,
        workers: env.group.worldSize,
        stages: reporter.summaries,
        completed: result.completed,
      };
      await runStore.put(runSummaryObject, new TextEncoder().encode(`${JSON.stringify(summary, null, 2)}\n`));
    }
    if (!result.completed) {
      log(`Stopped by ${String(termination.requested.reason)} after a checkpoint; rerun to resume`);
      return ExitCode.interrupted;
    }
    return ExitCode.ok;
  } finally {
    stopWatchingLauncher();
    await collective?.close();
    await publisher.close();
    s3?.destroy();
    if (runDir.kind !== 'local') await rm(tbDir, { recursive: true, force: true });
    // Last: without a listener SIGTERM kills at once (its default action), and a rank failing as its pod is
    // deleted (a peer died, the operator restarts the group) would die mid clean-up, its error never printed.
    termination.dispose();
  }
}

async function evaluate(
  config: TrainingConfig,
  env: RankEnv,
  detector: Parameters<typeof evaluateStage>[0]['detector'],
  collective: Collective,
  runStore: ReturnType<typeof openCheckpointStore>,
  openSource: (location: string) => DatasetSource,
  reporter: RankReporter,
  signal: AbortSignal,
  boardFor: (stage: JobStage) => TrainingBoard | undefined,
): Promise<unknown> {
  const source = openSource(datasetLocation(env, 'val'));
  const manifest = await readShardManifest(source, signal);
  const groundTruth =
    env.evalGroundTruth === undefined
      ? await loadValGroundTruth(manifest, source, signal)
      : await readGroundTruthFile(openSource, env.evalGroundTruth, signal);
  const started = performance.now();
  const result = await evaluateStage({
    detector,
    config,
    manifest,
    source,
    groundTruth,
    store: runStore,
    group: collective,
    signal,
    onProgress: (progress) => reporter.evaluateProgress(progress, (performance.now() - started) / 1000),
  });
  if (result.metrics !== undefined) {
    // The operator's status.results: read from this pod's termination message, not from S3 (ADR 0037).
    if (env.terminationLog !== undefined)
      await writeFile(env.terminationLog, terminationMetrics(result.metrics));
    const board = boardFor('evaluate');
    reporter.evaluation(result.metrics);
    board?.evaluation(result.metrics, 0);
    await board?.close();
    reporter.summaries.push({
      name: 'evaluate',
      iterations: manifest.totals.samples,
      steps: result.images,
      seconds: (performance.now() - started) / 1000,
      images: manifest.totals.samples,
      imagesPerSecond: manifest.totals.samples / Math.max((performance.now() - started) / 1000, 1e-9),
      commShare: 0,
      dataShare: 0,
    });
  }
  return result;
}
