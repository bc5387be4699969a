import {
  ConfigError,
  ConfigValidationError,
  ExitCode,
  LvisFormatError,
  helpText,
  packageVersion,
  processIO,
} from '../common/index.js';
import type { ProgramInfo, ProgramIO } from '../common/index.js';
import { DataError, S3RequestFailedError } from '../data/index.js';
import { CheckpointError } from './checkpoint/index.js';
import { CollectiveError } from './collective/index.js';
import { PipelineError } from './data/index.js';
import { ModelError } from './model/index.js';
import { LossDivergedError, RuntimeError } from './runtime/errors.js';
import { DeathAnnouncer } from './runtime/death-announcer.js';
import { forwardProcessSignals, launchRanks, type RankExit } from './runtime/launcher.js';
import { RankEnvError } from './runtime/rank-env-error.js';
import { runPurge } from './runtime/purge-command.js';
import { readLauncherGroupEnv, readPodEnv, readRankEnv, workerRole } from './runtime/rank-env.js';
import { runRankProcess } from './runtime/rank-process.js';
import { readWorkerSettings, workerFlagHelp, WorkerSettingsError } from './settings.js';
import { backendEnvVar, describeRuntime, initTf, TfBackendError } from './tf/index.js';

export const workerInfo: ProgramInfo = {
  name: 'bacl-worker',
  summary:
    'one training rank of a BaclJob: tfjs training, gradient all-reduce over NATS, shards and checkpoints in S3',
  usage: 'bacl-worker [flags] | bacl-worker purge <run prefix>/',
  description: [
    'Started by the operator in each worker pod (one rank per GPU) with the rank environment (RANK, WORLD_SIZE,\n' +
      'NATS_URL, BACL_CONFIG, BACL_STAGE, ...), or by `baclctl run` on one machine.',
    `Environment: ${backendEnvVar} picks the tfjs backend when --backend does not; LOCAL_WORLD_SIZE (ranks on\n` +
      'this machine, default 1) shares the cores: native intra-op threads default to cores / LOCAL_WORLD_SIZE\n' +
      '(TF_NUM_INTRAOP_THREADS, when set, wins).',
    "Without RANK it is the pod's launcher: it forks LOCAL_WORLD_SIZE ranks (RANK = NODE_RANK * LOCAL_WORLD_SIZE\n" +
      '+ LOCAL_RANK), prefixes their lines with [rank N], forwards SIGTERM/SIGINT, tells the group over NATS_URL\n' +
      "when a rank dies (a signal, a non-zero exit) and exits with the first failure's status. With RANK it is one\n" +
      'rank: it reads the rank environment once (every wrong variable in one error, exit 2), joins the group, runs\n' +
      'the stages of BACL_STAGE (comma-separated for several) and exits 0, or 130 after a SIGTERM checkpoint, or 5\n' +
      '(LossDiverged), 1 (a lost peer, S3 down, ...), 4 (a bad config or dataset).',
    '`bacl-worker purge s3://<bucket>/[<root>/]runs/<namespace>/<job>/<uid>/` deletes a run prefix with the S3\n' +
      "credentials in the environment: the operator's purge pod runs it when a job is deleted with\n" +
      'runPolicy.deleteRunDataOnDelete. Exit 0, 2 (not a run prefix, a bad S3 variable) or 1 (the store failed).',
  ],
  flags: workerFlagHelp,
};

/** What tests may set instead of the process's own: the environment, and the tfjs-node package to load. */
export interface WorkerStart {
  env: NodeJS.ProcessEnv;
  /** The tfjs-node package directory (initTf's `nativeDir`). @default the one in node_modules */
  nativeDir?: string;
}

/** Entry point of the bacl-worker bin; resolves to the exit code. */
export async function main(
  argv: string[],
  io: ProgramIO = processIO,
  start: Partial<WorkerStart> = {},
): Promise<number> {
  const name = workerInfo.name;
  if (argv[0] === 'purge') return runPurge(argv.slice(1), start.env ?? process.env, io);
  let settings;
  try {
    settings = readWorkerSettings(argv, start.env ?? process.env);
  } catch (error) {
    if (!(error instanceof WorkerSettingsError)) throw error;
    io.stderr(`${name}: ${error.message}\n`);
    return ExitCode.usage;
  }
  if (settings.help) {
    io.stdout(helpText(workerInfo));
    return ExitCode.ok;
  }
  if (settings.version) {
    io.stdout(`${name} ${packageVersion()}\n`);
    return ExitCode.ok;
  }

  const env = start.env ?? process.env;
  if (workerRole(env) === 'launcher') return launch(argv, env, io);

  let rankEnv;
  try {
    rankEnv = readRankEnv(env);
  } catch (error) {
    if (!(error instanceof RankEnvError)) throw error;
    io.stderr(`${name}: ${error.message}\n`);
    return error.exitCode;
  }
  const prefix = `${name}: rank ${rankEnv.group.rank}`;
  let runtime;
  try {
    runtime = await initTf({
      backend: settings.backend,
      localRanks: settings.localRanks,
      ...(start.nativeDir !== undefined ? { nativeDir: start.nativeDir } : {}),
      log: (line) => io.stderr(`${prefix}: ${line}\n`),
    });
  } catch (error) {
    if (!(error instanceof TfBackendError)) throw error;
    const cause = error.cause instanceof Error ? `\nCause: ${error.cause.message.split('\n')[0]}` : '';
    io.stderr(`${prefix}: ${settings.backendSource}: ${error.message}${cause}\n`);
    return ExitCode.failure;
  }
  if (rankEnv.group.rank === 0) io.stderr(`${prefix}: ${describeRuntime(runtime)}\n`);
  try {
    return await runRankProcess({
      env: rankEnv,
      backend: runtime.backend,
      log: (line) => io.stdout(`${line}\n`),
      ...(settings.logInterval === undefined ? {} : { logInterval: settings.logInterval }),
    });
  } catch (error) {
    const { status, message } = describeFailure(error);
    io.stderr(`${prefix}: ${message}\n`);
    return status;
  }
}

/** The pod's launcher: one rank process per local rank, this same program with RANK set. */
async function launch(argv: string[], env: NodeJS.ProcessEnv, io: ProgramIO): Promise<number> {
  let pod;
  try {
    pod = readPodEnv(env);
  } catch (error) {
    if (!(error instanceof RankEnvError)) throw error;
    io.stderr(`${workerInfo.name}: ${error.message}\n`);
    return error.exitCode;
  }
  const entry = process.argv[1];
  if (entry === undefined) {
    io.stderr(`${workerInfo.name}: cannot tell which script started this process, so cannot fork ranks\n`);
    return ExitCode.failure;
  }
  // With NATS, a rank's abnormal death is announced to the group at once (ADR 0042), not left to its peers'
  // heartbeat timeout.
  const natsGroup = readLauncherGroupEnv(env);
  const announcer = natsGroup
    ? DeathAnnouncer.start({
        group: natsGroup,
        pod,
        log: (line) => io.stderr(`${workerInfo.name}: ${line}\n`),
      })
    : undefined;
  const group = launchRanks({
    command: process.execPath,
    args: [...process.execArgv, entry, ...argv],
    env,
    pod,
    io,
    ...(announcer ? { onRankFailure: (exit: RankExit) => announcer.announce(exit) } : {}),
  });
  forwardProcessSignals(group);
  const { exitCode } = await group.done;
  await announcer?.close();
  return exitCode;
}

/** A rank's failure as its exit status and one message (the stack only for bugs). */
function describeFailure(error: unknown): { status: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  // Bad input (ADR 0036): the message names the file, shard, key or field; a data error's hint says what to do.
  if (error instanceof DataError)
    return { status: ExitCode.invalid, message: `${message}\nTry this: ${error.hint}` };
  if (
    error instanceof ConfigValidationError ||
    error instanceof ConfigError ||
    error instanceof LvisFormatError
  ) {
    return { status: ExitCode.invalid, message };
  }
  // Its own status: the operator fails the job with LossDiverged instead of restarting the group.
  if (error instanceof LossDivergedError) return { status: ExitCode.diverged, message };
  if (
    error instanceof RuntimeError ||
    error instanceof CollectiveError ||
    error instanceof CheckpointError ||
    error instanceof PipelineError ||
    error instanceof ModelError ||
    error instanceof S3RequestFailedError
  ) {
    return { status: ExitCode.failure, message };
  }
  if (error instanceof Error && error.name === 'AbortError') return { status: ExitCode.interrupted, message };
  return {
    status: ExitCode.failure,
    message: `${message}\n${error instanceof Error ? (error.stack ?? '') : ''}`,
  };
}
