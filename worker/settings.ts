// bacl-worker's settings, read once at start-up from its flags and environment into a typed object (nothing reads
// argv or the environment later). The backend: `--backend` wins over BACL_TF_BACKEND, which wins over 'auto'
// (chooseBackend); LOCAL_WORLD_SIZE, set by the operator as torchrun does, shares the cores among the ranks on a
// machine (docs/adr/0021-native-tensorflow-backend.md).
import { parseArgs } from 'node:util';
import { backendEnvVar, chooseBackend, TfBackendError, type TfBackendChoice } from './tf/index.js';

export interface WorkerSettings {
  help: boolean;
  version: boolean;
  /** The tfjs backend asked for. @default 'auto' (native when its addon loads, else wasm) */
  backend: TfBackendChoice;
  /** Where `backend` came from, for messages: `--backend <name>`, `BACL_TF_BACKEND=<name>` or 'auto (default)'. */
  backendSource: string;
  /** LOCAL_WORLD_SIZE: ranks on this machine; native intra-op threads default to cores / this. @default 1 */
  localRanks: number;
  /**
   * `--log-interval N`: rank 0's training line every N steps (and the first and last). @default 50 (mmdet's
   * log_config.interval); 1 logs every step, which the fault suite reads to count the steps a kill lost.
   */
  logInterval?: number;
}

/** A flag or environment variable is wrong (exit 2); the message names it and ends with what to do. */
export class WorkerSettingsError extends Error {
  override readonly name = 'WorkerSettingsError';
}

export const workerFlagHelp = [
  '  -h, --help              Show this help and exit.',
  '      --version           Print the version and exit.',
  '      --backend NAME      tfjs backend: auto (default: tensorflow when its addon loads, else wasm),',
  '                          tensorflow (native, built by `baclctl backend install`), wasm or cpu.',
  `                          Beats ${backendEnvVar}.`,
  '      --log-interval N    Rank 0 prints a training line every N steps (default 50), and the first and last.',
];

export function readWorkerSettings(argv: string[], env: NodeJS.ProcessEnv): WorkerSettings {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        backend: { type: 'string' },
        'log-interval': { type: 'string' },
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WorkerSettingsError(`${message}\nTry this: bacl-worker --help`, { cause: error });
  }
  let backend: TfBackendChoice;
  try {
    backend = chooseBackend(values.backend, env);
  } catch (error) {
    if (!(error instanceof TfBackendError)) throw error;
    throw new WorkerSettingsError(error.message, { cause: error });
  }
  const flag = values.backend !== undefined && values.backend !== '';
  const fromEnv = !flag && env[backendEnvVar] !== undefined && env[backendEnvVar] !== '';
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    backend,
    backendSource: flag ? `--backend ${backend}` : fromEnv ? `${backendEnvVar}=${backend}` : 'auto (default)',
    localRanks: readLocalRanks(env['LOCAL_WORLD_SIZE']),
    ...(values['log-interval'] === undefined ? {} : { logInterval: readLogInterval(values['log-interval']) }),
  };
}

function readLogInterval(value: string): number {
  const steps = Number(value);
  if (!Number.isInteger(steps) || steps < 1) {
    throw new WorkerSettingsError(
      `--log-interval ${value} is not a whole number of steps of at least 1. Try this: --log-interval 50`,
    );
  }
  return steps;
}

function readLocalRanks(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const ranks = Number(value);
  if (!Number.isInteger(ranks) || ranks < 1) {
    throw new WorkerSettingsError(
      `LOCAL_WORLD_SIZE=${value} is not a whole number of at least 1. Try this: unset it, or set the number ` +
        'of ranks on this machine',
    );
  }
  return ranks;
}
