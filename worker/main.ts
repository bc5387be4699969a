import { ExitCode, helpText, packageVersion, processIO } from '../common/index.js';
import type { ProgramInfo, ProgramIO } from '../common/index.js';
import { readWorkerSettings, workerFlagHelp, WorkerSettingsError } from './settings.js';
import { backendEnvVar, describeRuntime, initTf, TfBackendError } from './tf/index.js';

export const workerInfo: ProgramInfo = {
  name: 'bacl-worker',
  summary:
    'one training rank of a BaclJob: tfjs training, gradient all-reduce over NATS, shards and checkpoints in S3',
  usage: 'bacl-worker [flags]',
  description: [
    'Started by the operator in each worker pod (one rank per GPU) with the rank environment (RANK, WORLD_SIZE,\n' +
      'NATS_URL, BACL_CONFIG, BACL_STAGE, ...), or by `baclctl run` on one machine.',
    `Environment: ${backendEnvVar} picks the tfjs backend when --backend does not; LOCAL_WORLD_SIZE (ranks on\n` +
      'this machine, default 1) shares the cores: native intra-op threads default to cores / LOCAL_WORLD_SIZE\n' +
      '(TF_NUM_INTRAOP_THREADS, when set, wins).',
    'Status: training is not built yet; this build starts the tfjs backend, prints one line naming it\n' +
      '(TensorFlow version, GPU use, threads) and exits 1.',
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

  let runtime;
  try {
    runtime = await initTf({
      backend: settings.backend,
      localRanks: settings.localRanks,
      ...(start.nativeDir !== undefined ? { nativeDir: start.nativeDir } : {}),
      log: (line) => io.stderr(`${name}: ${line}\n`),
    });
  } catch (error) {
    if (!(error instanceof TfBackendError)) throw error;
    const cause = error.cause instanceof Error ? `\nCause: ${error.cause.message.split('\n')[0]}` : '';
    io.stderr(`${name}: ${settings.backendSource}: ${error.message}${cause}\n`);
    return ExitCode.failure;
  }
  io.stderr(`${name}: ${describeRuntime(runtime)}\n`);
  io.stderr(`${name}: training is not built yet, so there is nothing to run.\nTry this: ${name} --help\n`);
  return ExitCode.failure;
}
