// Sets up the tfjs backend a worker trains on and installs the overrides that make training work there.
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { intraOpThreads, type TfBackendChoice, type TfBackendName } from './backend-choice.js';
import { TfBackendError } from './errors.js';
import { loadNative, nativeInstall, nativeInstallHint, nativePackage } from './native.js';
import { installOverrides } from './overrides.js';

export interface InitTfOptions {
  /**
   * 'tensorflow' (tfjs-node over libtensorflow, built by scripts/tf-native.sh: the fast one, CPU or GPU), 'wasm'
   * (XNNPACK, SIMD, one thread in Node), 'cpu' (pure JS; a cross-check for op tests), or 'auto': 'tensorflow'
   * when its addon loads, else 'wasm' with one line (through `log`) saying how to install it.
   */
  backend: TfBackendChoice;
  /** Gives up (rejecting with the signal's reason) when aborted before the backend is ready. */
  signal?: AbortSignal;
  /**
   * Sets tfjs' PROD flag, which silences its console warnings (the "you are running TensorFlow.js in Node.js"
   * banner of the cpu backend) and drops debug checks.
   * @default true
   */
  prodMode?: boolean;
  /**
   * Native intra-op threads (TF_NUM_INTRAOP_THREADS, read once when the library loads; an explicit environment
   * variable wins). Ignored by wasm (one thread in Node) and cpu.
   * @default cores / localRanks, at least 1: ranks sharing a machine should not oversubscribe it
   */
  threads?: number;
  /**
   * Ranks sharing this machine (for the default thread count).
   * @default 1
   */
  localRanks?: number;
  /** Receives the fallback notice of 'auto' (start-up code logs `describeRuntime` itself). @default ignored */
  log?: (line: string) => void;
}

export interface TfRuntime {
  backend: TfBackendName;
  /** wasm only: whether the SIMD build was loaded (false means the slower scalar build). */
  simd: boolean;
  /** What installOverrides registered, e.g. ['cpu/Conv2DBackpropFilter', 'gradient/GatherNd', ...]. */
  overrides: string[];
  /** tensorflow only: the linked TensorFlow version, GPU use and intra-op threads. */
  native?: { tfVersion: string; gpu: boolean; intraOpThreads: number };
  /** 'auto' only, when it fell back to wasm: why, and how to install the native backend. */
  fallback?: string;
}

/** One start-up line: backend, TensorFlow version, GPU use, threads. */
export function describeRuntime(runtime: TfRuntime): string {
  const { backend, native } = runtime;
  if (backend === 'tensorflow' && native !== undefined) {
    return (
      `tfjs backend tensorflow: TensorFlow ${native.tfVersion}, ${native.gpu ? 'GPU' : 'CPU only'}, ` +
      `${native.intraOpThreads} intra-op thread${native.intraOpThreads === 1 ? '' : 's'}`
    );
  }
  if (backend === 'wasm') return `tfjs backend wasm: ${runtime.simd ? 'SIMD' : 'no SIMD'}, 1 thread`;
  return `tfjs backend ${backend}`;
}

let nativeInfo: TfRuntime['native'];

async function registerBackend(backend: TfBackendName, threads: number): Promise<void> {
  try {
    if (backend === 'wasm') {
      // Importing registers 'wasm' as the highest-priority backend; its .wasm files are found next to the package.
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Threads cannot start in Node (tfjs forces WASM_HAS_MULTITHREAD_SUPPORT off, tfjs-notes §4.2).
      wasm.setThreadsCount(1);
    } else if (backend === 'tensorflow') {
      nativeInfo ??= await loadNative(threads);
    }
  } catch (error) {
    throw new TfBackendError(
      backend,
      `could not load the '${backend}' backend package. Try this: ` +
        (backend === 'tensorflow'
          ? `${nativeInstallHint} to build ${nativePackage}, or use --backend wasm`
          : 'npm ci'),
      { cause: error },
    );
  }
}

async function start(backend: TfBackendName, threads: number, signal?: AbortSignal): Promise<TfRuntime> {
  await registerBackend(backend, threads);
  signal?.throwIfAborted();
  let ready: boolean;
  try {
    ready = await tf.setBackend(backend);
  } catch (error) {
    throw new TfBackendError(backend, `the '${backend}' backend failed to initialise`, { cause: error });
  }
  if (!ready) {
    throw new TfBackendError(
      backend,
      `the '${backend}' backend failed to initialise. Try this: --backend cpu`,
    );
  }
  signal?.throwIfAborted();
  return {
    backend,
    simd: backend === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    overrides: installOverrides(backend),
    ...(backend === 'tensorflow' && nativeInfo !== undefined ? { native: nativeInfo } : {}),
  };
}

/** Makes the chosen backend the active tfjs backend and installs its overrides; resolves when it is usable. */
export async function initTf(options: InitTfOptions): Promise<TfRuntime> {
  const { backend, signal, prodMode = true, localRanks = 1, log } = options;
  const threads = options.threads ?? intraOpThreads(availableParallelism(), localRanks);
  signal?.throwIfAborted();
  if (prodMode) tf.enableProdMode();
  if (backend !== 'auto') return start(backend, threads, signal);
  const install = nativeInstall();
  let why: string;
  if (install.installed) {
    try {
      return await start('tensorflow', threads, signal);
    } catch (error) {
      signal?.throwIfAborted();
      const cause = error instanceof TfBackendError && error.cause instanceof Error ? error.cause : error;
      why = `its addon did not load (${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)})`;
    }
  } else {
    why = install.reason;
  }
  const fallback = `native TensorFlow backend not available: ${why}; using wasm. Try this: ${nativeInstallHint}`;
  log?.(fallback);
  return { ...(await start('wasm', threads, signal)), fallback };
}
