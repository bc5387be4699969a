// The native backend ('tensorflow'): @tensorflow/tfjs-node with an addon that scripts/tf-native.sh builds against
// the TensorFlow wheel's C API (docs/adr/0021-native-tensorflow-backend.md). Its own install script never runs,
// so the package is always present but usable only once the script has laid out deps/ and lib/napi-v<N>/.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const nativePackage = '@tensorflow/tfjs-node';

/** How to install the native backend, for messages. */
export const nativeInstallHint = 'baclctl backend install (or: bash scripts/tf-native.sh [--gpu])';

/** What scripts/tf-native.sh wrote into the package's deps/bacl-native.json. */
export interface NativeManifest {
  tf: string;
  variant: 'cpu' | 'gpu';
  tfjsNode: string;
  napi: number;
  node: string;
  vendored: boolean;
}

export type NativeInstall =
  { installed: true; packageDir: string; manifest: NativeManifest } | { installed: false; reason: string };

/** Whether the addon is in place (without loading it: loading takes ~0.5 s and ~470 MB). */
export function nativeInstall(): NativeInstall {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve(`${nativePackage}/package.json`));
  } catch {
    return { installed: false, reason: `${nativePackage} is not in node_modules (npm ci)` };
  }
  const manifestPath = join(packageDir, 'deps', 'bacl-native.json');
  if (!existsSync(manifestPath)) {
    return { installed: false, reason: `its addon is not built (no ${manifestPath})` };
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as NativeManifest;
  const addon = join(packageDir, 'lib', `napi-v${manifest.napi}`, 'tfjs_binding.node');
  if (!existsSync(addon)) return { installed: false, reason: `${addon} is missing` };
  return { installed: true, packageDir, manifest };
}

/** What the loaded native backend reports about itself. */
export interface NativeInfo {
  /** TensorFlow's version (TF_Version of the linked library). */
  tfVersion: string;
  /** Whether TensorFlow placed ops on a GPU (false on the CPU build, or the GPU build without a driver). */
  gpu: boolean;
  /** TF_NUM_INTRAOP_THREADS as the library saw it at load. */
  intraOpThreads: number;
}

/** The part of tfjs-node's module this project uses besides its backend: TensorBoard's summary writer. */
export interface NativeSummaryWriter {
  scalar(name: string, value: number, step: number): void;
  flush(): void;
}
interface NativeModule {
  node: { summaryFileWriter(logdir: string): NativeSummaryWriter };
}
let loaded: NativeModule | undefined;

/** tfjs-node's summary writer for `logdir` (TensorFlow's own event file writer); the native backend must be loaded. */
export function nativeSummaryWriter(logdir: string): NativeSummaryWriter {
  if (loaded === undefined)
    throw new Error(`${nativePackage} is not loaded: start the tensorflow backend first`);
  return loaded.node.summaryFileWriter(logdir);
}

interface NodeBackendShape {
  binding: { TF_Version: string };
  isUsingGpuDevice: boolean;
}

/**
 * Loads tfjs-node (which registers the 'tensorflow' backend). TensorFlow reads its thread count and log level from
 * the environment once, when the library loads: `threads` sets TF_NUM_INTRAOP_THREADS unless it is already set.
 */
export async function loadNative(threads: number): Promise<NativeInfo> {
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2'; // oneDNN and CPU-feature banners
  process.env['TF_NUM_INTRAOP_THREADS'] ??= String(threads);
  // A variable specifier keeps TypeScript from type-checking the package (its types pull in a second tfjs).
  const specifier = nativePackage;
  loaded = (await import(specifier)) as NativeModule;
  // tfjs-node requires the same @tensorflow/tfjs as this module (one tfjs-core, one engine): its backend is here.
  const backend = tf.findBackend('tensorflow') as unknown as NodeBackendShape | null;
  if (backend?.binding === undefined) {
    throw new Error(
      `${nativePackage} registered no 'tensorflow' backend with this tfjs (two tfjs-core copies?)`,
    );
  }
  return {
    tfVersion: backend.binding.TF_Version,
    gpu: backend.isUsingGpuDevice,
    intraOpThreads: Number(process.env['TF_NUM_INTRAOP_THREADS']),
  };
}
