// `baclctl run` (issue #13 point 7): the training and evaluation of a BaclJob on this machine, no cluster.
// 1. the effective config (name or path, --set) into --out/config.yaml (run-out.ts: resume or --fresh);
// 2. the dataset as shards (run-dataset.ts: a synthetic config's data is generated and cached);
// 3. N rank processes of this build (local-ranks.ts), all stages then evaluate, over the machine's own sockets
//    (or --nats) with checkpoints in --out (or --s3); their mmdet-shaped log goes to --out/logs/worker.log, rank
//    0's progress to a live line;
// 4. metrics.json and the run summary read back for the AP table or -o json.
import { join, resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  baclCacheDir,
  evaluationMetricsSchema,
  loadTrainingConfig,
  type TrainingConfig,
} from '../../common/index.js';
import { LVIS_METRIC_KEYS, type LvisMetrics } from '../../data/index.js';
import {
  openCheckpointStore,
  RankEnvError,
  readS3Env,
  runSummaryObject,
  type RunSummary,
  type S3Env,
} from '../../worker/index.js';
import { cliError } from '../errors.js';
import { localRankEnv, runLocalRanks } from './local-ranks.js';
import { ensureRunDataset } from './run-dataset.js';
import { prepareOut } from './run-out.js';
import { RunProgress } from './run-progress.js';

export interface LocalRunOptions {
  config: string;
  sets: readonly string[];
  workers: number;
  out: string;
  backend?: string;
  nats?: string;
  s3?: string;
  fresh: boolean;
  /** Steps between the ranks' log lines. @default the worker's */
  logInterval?: number;
}

export interface LocalRunResult {
  backend: string;
  workers: number;
  stages: Array<{ name: string; iterations: number; seconds: number; imagesPerSecond: number }>;
  /** The 13 LVIS metrics of eval/metrics.json. */
  metrics: LvisMetrics;
  out: string;
  /** Full stage figures (communication and data shares), for benchmarks. */
  summary: RunSummary;
}

export interface RunIo {
  /** Progress and notes (stderr). */
  note: (text: string) => void;
  tty: boolean;
}

function workerEnv(
  options: LocalRunOptions,
  config: TrainingConfig,
  paths: { configFile: string; runUri: string; train: string; val: string },
): NodeJS.ProcessEnv {
  const env = localRankEnv(options.config, {
    BACL_STAGE: [...config.stages, 'evaluate'].join(','),
    BACL_CONFIG: paths.configFile,
    BACL_RUN_URI: paths.runUri,
    BACL_DATASET_TRAIN: paths.train,
    BACL_DATASET_VAL: paths.val,
  });
  if (options.nats !== undefined) env.NATS_URL = options.nats;
  if (options.backend !== undefined) env.BACL_TF_BACKEND = options.backend;
  return env;
}

export async function runLocal(
  options: LocalRunOptions,
  io: RunIo,
  signal: AbortSignal,
): Promise<LocalRunResult> {
  if (!Number.isInteger(options.workers) || options.workers < 1) {
    throw cliError(`--workers ${options.workers} is not a whole number of at least 1`, {
      code: 'USAGE',
      tryThis: 'baclctl run tiny --workers 2',
    });
  }
  const s3Env = readLocalS3Env(process.env);
  const { config } = loadTrainingConfig(options.config, { sets: options.sets });
  const out = resolve(options.out);
  const prepared = await prepareOut(out, config, options.fresh);
  const progress = new RunProgress(io.note, io.tty);
  if (prepared.resumable.length > 0) {
    progress.line(`Resuming ${out} (checkpoints of ${prepared.resumable.join(', ')}); --fresh starts over`);
  }
  const dataset = await ensureRunDataset(config, baclCacheDir(), signal);
  for (const made of dataset.made) progress.line(`Prepared ${made}`);

  const s3 = options.s3 === undefined ? undefined : new S3Client(s3Env.client);
  const runUri = options.s3 ?? out;
  try {
    progress.line(
      `Training ${options.config} on ${options.workers} worker${options.workers === 1 ? '' : 's'} ` +
        `(${config.stages.join(' -> ')} -> evaluate); log: ${join(out, 'logs', 'worker.log')}`,
    );
    const result = await runLocalRanks({
      workers: options.workers,
      env: workerEnv(options, config, { configFile: prepared.configFile, runUri, ...dataset }),
      logFile: join(out, 'logs', 'worker.log'),
      progress,
      signal,
    });
    if (result.exitCode !== 0) {
      const failed = result.firstFailure === undefined ? 'a rank' : `rank ${result.firstFailure.rank}`;
      if (result.exitCode === 130 || signal.aborted) {
        throw cliError(`stopped: the ranks checkpointed and exited (${failed}, status ${result.exitCode})`, {
          code: 'INTERRUPTED',
          tryThis: `rerun the same command to resume from ${join(out, 'checkpoints')}`,
        });
      }
      throw cliError(
        `training failed: ${failed} exited with status ${result.exitCode}; its reason is at the end of ` +
          join(out, 'logs', 'worker.log'),
        {
          code: 'TRAINING_FAILED',
          tryThis: `tail ${join(out, 'logs', 'worker.log')}; rerunning resumes from the last checkpoint`,
        },
      );
    }
    const store = openCheckpointStore(runUri, s3 === undefined ? {} : { s3, retry: s3Env.retry });
    const metrics = readMetrics(await store.get('eval/metrics.json'), store.locate('eval/metrics.json'));
    const summary = JSON.parse(new TextDecoder().decode(await store.get(runSummaryObject))) as RunSummary;
    return {
      backend: summary.backend,
      workers: options.workers,
      stages: summary.stages.map((stage) => ({
        name: stage.name,
        iterations: stage.iterations,
        seconds: stage.seconds,
        imagesPerSecond: stage.imagesPerSecond,
      })),
      metrics,
      out,
      summary,
    };
  } finally {
    s3?.destroy();
  }
}

/**
 * The S3 settings the ranks will read from the environment they inherit (AWS_ENDPOINT_URL_S3,
 * BACL_S3_FORCE_PATH_STYLE, BACL_S3_REQUEST_TIMEOUT_SECONDS), read once here: a bad value is refused before
 * anything is made, and this process's own S3 reads (metrics, summary) follow the ranks' retry policy.
 */
export function readLocalS3Env(env: NodeJS.ProcessEnv): S3Env {
  try {
    return readS3Env(env);
  } catch (error) {
    if (!(error instanceof RankEnvError)) throw error;
    const problems = error.problems.map(
      ({ variable, value, expected }) =>
        `${variable}${value === undefined ? ' is not set' : `=${JSON.stringify(value)}`}: should be ${expected}`,
    );
    throw cliError(`the S3 settings in the environment are wrong: ${problems.join('; ')}`, {
      code: 'USAGE',
      tryThis: `fix or unset ${error.problems.map((problem) => problem.variable).join(', ')}`,
    });
  }
}

/** metrics.json: the 13 LVIS metrics (the AP ones as the operator's schema reads them, plus the ARs). */
export function readMetrics(bytes: Uint8Array, where: string): LvisMetrics {
  const value = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  const checked = evaluationMetricsSchema.safeParse(value);
  const missing = LVIS_METRIC_KEYS.filter((key) => typeof value[key] !== 'number');
  if (!checked.success || missing.length > 0) {
    throw cliError(
      `${where} is not the evaluate stage's metrics (missing or bad: ${missing.join(', ') || checked.error?.message})`,
      {
        code: 'DATA_INVALID',
        tryThis: 'rerun with --fresh',
      },
    );
  }
  return value as unknown as LvisMetrics;
}
