// Sets up the tfjs backend a worker trains on and installs the overrides that make training work there.
import * as tf from '@tensorflow/tfjs';
import { TfBackendError } from './errors.js';
import { installOverrides } from './overrides.js';

export type TfBackendName = 'wasm' | 'cpu' | 'tensorflow';

export interface InitTfOptions {
  /**
   * 'wasm' (XNNPACK, SIMD, one thread in Node; the CI and CPU choice), 'cpu' (pure JS; a cross-check for op
   * tests), or 'tensorflow' (tfjs-node / tfjs-node-gpu, which must be installed separately).
   */
  backend: TfBackendName;
  /** Gives up (rejecting with the signal's reason) when aborted before the backend is ready. */
  signal?: AbortSignal;
  /**
   * Sets tfjs' PROD flag, which silences its console warnings (the "you are running TensorFlow.js in Node.js"
   * banner of the cpu backend) and drops debug checks.
   * @default true
   */
  prodMode?: boolean;
}

export interface TfRuntime {
  backend: TfBackendName;
  /** wasm only: whether the SIMD build was loaded (false means the slower scalar build). */
  simd: boolean;
  /** What installOverrides registered, e.g. ['cpu/Conv2DBackpropFilter', 'gradient/GatherNd', ...]. */
  overrides: string[];
}

// A variable specifier keeps TypeScript from resolving a package that is usually absent.
const tfjsNodePackage = '@tensorflow/tfjs-node';

async function registerBackend(backend: TfBackendName): Promise<void> {
  try {
    if (backend === 'wasm') {
      // Importing registers 'wasm' as the highest-priority backend; its .wasm files are found next to the package.
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Threads cannot start in Node (tfjs forces WASM_HAS_MULTITHREAD_SUPPORT off, tfjs-notes §4.2).
      wasm.setThreadsCount(1);
    } else if (backend === 'tensorflow') {
      await import(tfjsNodePackage);
    }
  } catch (error) {
    throw new TfBackendError(
      backend,
      `could not load the '${backend}' backend package. Try this: ` +
        (backend === 'tensorflow' ? `install ${tfjsNodePackage}, or use --backend wasm` : 'npm ci'),
      { cause: error },
    );
  }
}

/** Makes `options.backend` the active tfjs backend and installs the overrides; resolves when it is usable. */
export async function initTf(options: InitTfOptions): Promise<TfRuntime> {
  const { backend, signal, prodMode = true } = options;
  signal?.throwIfAborted();
  if (prodMode) tf.enableProdMode();
  await registerBackend(backend);
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
  };
}
