// Which tfjs backend a process trains on, and with how many threads: pure rules, read once at start-up.
//
// Order: the command line (`--backend`) wins over the environment (`BACL_TF_BACKEND`), which wins over 'auto'.
// 'auto' takes the native backend ('tensorflow', tfjs-node over libtensorflow) when its addon loads, else wasm.
// Native intra-op threads default to the machine's cores shared evenly by the ranks on it (at least one), so
// ranks on one node do not oversubscribe the cores (docs/adr/0021-native-tensorflow-backend.md).
import { TfBackendError } from './errors.js';

/** The backends initTf can start. */
export type TfBackendName = 'wasm' | 'cpu' | 'tensorflow';
/** What a user may ask for: one backend, or 'auto'. */
export type TfBackendChoice = 'auto' | TfBackendName;

export const tfBackendChoices: readonly TfBackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** The environment variable that forces a backend when no flag does. */
export const backendEnvVar = 'BACL_TF_BACKEND';

/** Checks a backend name from `source` (a flag or an environment variable, named in the error). */
export function parseBackendChoice(value: string, source: string): TfBackendChoice {
  const choice = tfBackendChoices.find((name) => name === value);
  if (choice === undefined) {
    throw new TfBackendError(
      value,
      `${source}=${value} is not a tfjs backend. Try this: one of ${tfBackendChoices.join(', ')}`,
    );
  }
  return choice;
}

/** The backend asked for: `flag`, else the environment's BACL_TF_BACKEND, else 'auto'. */
export function chooseBackend(flag: string | undefined, env: NodeJS.ProcessEnv): TfBackendChoice {
  if (flag !== undefined && flag !== '') return parseBackendChoice(flag, '--backend');
  const fromEnv = env[backendEnvVar];
  if (fromEnv !== undefined && fromEnv !== '') return parseBackendChoice(fromEnv, backendEnvVar);
  return 'auto';
}

/** Native intra-op threads per rank: floor(cores / local ranks), at least 1. */
export function intraOpThreads(cores: number, localRanks: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, localRanks)));
}
