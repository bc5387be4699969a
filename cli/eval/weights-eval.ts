// `baclctl eval --weights` (issue #14 point 3): a published mmdetection checkpoint, saved as safetensors,
// evaluated on prepared val shards by N rank processes of this build (cli/run/local-ranks.ts), exactly as a
// trained run's evaluate stage runs:
// 1. the effective config (--config, a name or path) into --out/config.yaml; the inputs checked where they are
//    local (a missing file fails here, not in every rank);
// 2. the ranks run BACL_STAGE=evaluate with BACL_WEIGHTS (each loads the whole detector from the file,
//    worker/runtime/eval-weights.ts) and, with --gt, BACL_EVAL_GT; they infer disjoint shares of the shards
//    and write --out/eval/detections.json and metrics.json (worker/runtime/evaluate.ts);
// 3. metrics.json read back for the AP table or -o json.
// A rank's failure (weights that do not fit the config, a damaged shard) comes back with the rank's own message.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadTrainingConfig } from '../../common/index.js';
import type { LvisMetrics } from '../../data/index.js';
import { cliError } from '../errors.js';
import { localRankEnv, runLocalRanks } from '../run/local-ranks.js';
import { readMetrics } from '../run/local-run.js';
import { RunProgress } from '../run/run-progress.js';
import type { EvalRequest } from './eval-request.js';

export type WeightsEvalOptions = Omit<Extract<EvalRequest, { kind: 'weights' }>, 'kind'>;

export interface WeightsEvalResult {
  metrics: LvisMetrics;
  workers: number;
  /** The run directory (--out): config.yaml, eval/detections.json, eval/metrics.json, logs/worker.log. */
  out: string;
}

export interface EvalIo {
  /** Progress and notes (stderr). */
  note: (text: string) => void;
  tty: boolean;
}

/** A local path made absolute (the ranks may run elsewhere in the tree); an s3:// URI as is. */
const located = (location: string) => (location.startsWith('s3://') ? location : resolve(location));

function checkLocalInputs(options: WeightsEvalOptions): void {
  const local = (location: string) => !location.startsWith('s3://');
  if (local(options.weights) && !existsSync(options.weights)) {
    throw cliError(`--weights ${options.weights} does not exist`, {
      code: 'NOT_FOUND',
      tryThis: 'check the path (README "Evaluating mmdetection checkpoints" makes the file from a .pth)',
    });
  }
  if (local(options.data) && !existsSync(join(options.data, 'manifest.json'))) {
    throw cliError(`--data ${options.data} holds no prepared shards (no manifest.json)`, {
      code: 'NOT_FOUND',
      tryThis: `baclctl data prepare --annotations <lvis val json> --images <val images> --out ${options.data}`,
    });
  }
  if (options.gt !== undefined && local(options.gt) && !existsSync(options.gt)) {
    throw cliError(`--gt ${options.gt} does not exist`, {
      code: 'NOT_FOUND',
      tryThis: 'check the path, or leave --gt out to use the annotations beside the shards',
    });
  }
}

export async function evaluateWeights(
  options: WeightsEvalOptions,
  io: EvalIo,
  signal: AbortSignal,
): Promise<WeightsEvalResult> {
  const { config } = loadTrainingConfig(options.config);
  checkLocalInputs(options);
  const out = resolve(options.out);
  if (existsSync(join(out, 'checkpoints'))) {
    // Its config.yaml and eval/ belong to that run (a rerun of `baclctl run` resumes from them).
    throw cliError(`--out ${out} holds a training run (checkpoints/)`, {
      code: 'ALREADY_EXISTS',
      tryThis: `choose another --out (default: bacl-runs/eval-<weights name>)`,
    });
  }
  await rm(join(out, 'eval'), { recursive: true, force: true });
  await mkdir(join(out, 'logs'), { recursive: true });
  const configFile = join(out, 'config.yaml');
  await writeFile(
    configFile,
    `# The effective config of this evaluation (baclctl eval --weights ${options.weights}).\n${stringify(config)}`,
  );
  const logFile = join(out, 'logs', 'worker.log');
  const progress = new RunProgress(io.note, io.tty);
  progress.line(
    `Evaluating ${options.weights} (${options.config}) on ${options.workers} worker` +
      `${options.workers === 1 ? '' : 's'}; log: ${logFile}`,
  );
  const result = await runLocalRanks({
    workers: options.workers,
    env: localRankEnv(options.config, {
      BACL_STAGE: 'evaluate',
      BACL_CONFIG: configFile,
      BACL_RUN_URI: out,
      BACL_DATASET_VAL: located(options.data),
      BACL_WEIGHTS: located(options.weights),
      ...(options.gt === undefined ? {} : { BACL_EVAL_GT: located(options.gt) }),
    }),
    logFile,
    progress,
    signal,
  });
  if (result.exitCode !== 0) {
    const failed = result.firstFailure === undefined ? 'a rank' : `rank ${result.firstFailure.rank}`;
    if (result.exitCode === 130 || signal.aborted) {
      throw cliError(`stopped: ${failed} exited with status ${result.exitCode}`, {
        code: 'INTERRUPTED',
        tryThis: 'rerun the same command (evaluation starts over)',
      });
    }
    const why = result.reason ?? `its reason is at the end of ${logFile}`;
    throw cliError(`evaluation failed: ${failed} exited with status ${result.exitCode}: ${why}`, {
      // bacl-worker exits 4 for a bad config or dataset (common/exit-codes.ts).
      code: result.exitCode === 4 ? 'DATA_INVALID' : 'EVAL_FAILED',
      tryThis: `fix what the message names, then rerun; the ranks' whole log is ${logFile}`,
    });
  }
  const metricsFile = join(out, 'eval', 'metrics.json');
  return {
    metrics: readMetrics(await readFile(metricsFile), metricsFile),
    workers: options.workers,
    out,
  };
}
