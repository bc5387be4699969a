// Saving and loading model weights: variables (parameters and state) → plain arrays → blob + manifest in a
// WeightStorage, and back, with every name, dtype and shape checked before any variable is touched, so a
// failed load leaves the model as it was.
import * as tf from '@tensorflow/tfjs';
import { WeightsFormatError, WeightsMismatchError, type TensorMismatch } from './errors.js';
import { assertObjectName, type WeightStorage } from './storage.js';
import {
  decodeWeights,
  encodeWeights,
  parseManifest,
  type ArrayDtype,
  type NamedArray,
} from './tensor-blob.js';

/** A variable to save or restore under a state-dict name (ParameterStore entries have this shape). */
export interface WeightTarget {
  name: string;
  kind: 'parameter' | 'state';
  variable: tf.Variable;
}

/** Reads every target's values (async: no blocking read on the backend). */
export async function readTargets(targets: readonly WeightTarget[]): Promise<NamedArray[]> {
  return Promise.all(
    targets.map(async ({ name, kind, variable }): Promise<NamedArray> => {
      const data = await variable.data();
      if (variable.dtype === 'float32') {
        return {
          name,
          kind,
          dtype: 'float32',
          shape: [...variable.shape],
          data: Float32Array.from(data as Float32Array),
        };
      }
      if (variable.dtype === 'int32') {
        return {
          name,
          kind,
          dtype: 'int32',
          shape: [...variable.shape],
          data: Int32Array.from(data as Int32Array),
        };
      }
      throw new WeightsFormatError(name, `variables of dtype ${variable.dtype} cannot be saved`);
    }),
  );
}

const describe = (dtype: string, shape: readonly number[]) => `${dtype} [${shape.join(', ')}]`;

export interface AssignOptions {
  /** What to do with arrays that match no target: 'error' (default) or 'ignore' (a partial load). */
  unexpected?: 'error' | 'ignore';
  /** Where the arrays came from, for messages. */
  source?: string;
}

/**
 * Assigns `arrays` to `targets` by name. Throws WeightsMismatchError listing every missing, unexpected and
 * mis-shaped tensor before assigning anything.
 */
export function assignTargets(
  targets: readonly WeightTarget[],
  arrays: readonly NamedArray[],
  options: AssignOptions = {},
): void {
  const { unexpected = 'error', source = 'weights' } = options;
  const byName = new Map(arrays.map((array) => [array.name, array]));
  const missing: string[] = [];
  const mismatched: TensorMismatch[] = [];
  for (const { name, variable } of targets) {
    const array = byName.get(name);
    if (array === undefined) {
      missing.push(name);
    } else if (
      array.dtype !== (variable.dtype as ArrayDtype) ||
      array.shape.length !== variable.shape.length ||
      array.shape.some((size, i) => size !== variable.shape[i])
    ) {
      mismatched.push({
        name,
        expected: describe(variable.dtype, variable.shape),
        actual: describe(array.dtype, array.shape),
      });
    }
  }
  const targetNames = new Set(targets.map((target) => target.name));
  const extra =
    unexpected === 'error' ? arrays.map((a) => a.name).filter((name) => !targetNames.has(name)) : [];
  if (missing.length > 0 || extra.length > 0 || mismatched.length > 0) {
    throw new WeightsMismatchError(source, { missing, unexpected: extra, mismatched });
  }
  tf.tidy(() => {
    for (const { name, variable } of targets) {
      const array = byName.get(name) as NamedArray;
      // The dtype check above leaves only float32 and int32 (variables are never uint8).
      variable.assign(tf.tensor(array.data, array.shape, array.dtype as 'float32' | 'int32'));
    }
  });
}

/** `<name>.bin` and `<name>.json` in the storage. */
export function checkpointObjects(name: string): { blob: string; manifest: string } {
  assertObjectName(name);
  return { blob: `${name}.bin`, manifest: `${name}.json` };
}

/** Writes `arrays` as checkpoint `name`: the blob first, then the manifest that makes it visible. */
export async function saveWeights(
  storage: WeightStorage,
  name: string,
  arrays: readonly NamedArray[],
): Promise<void> {
  const objects = checkpointObjects(name);
  const blobBase = objects.blob.slice(objects.blob.lastIndexOf('/') + 1);
  const { manifest, blob } = encodeWeights(arrays, blobBase);
  await storage.put(objects.blob, blob);
  await storage.put(objects.manifest, new TextEncoder().encode(JSON.stringify(manifest, null, 1)));
}

/** Reads checkpoint `name` back as plain arrays, verifying the blob's length and SHA-256. */
export async function loadWeights(storage: WeightStorage, name: string): Promise<NamedArray[]> {
  const objects = checkpointObjects(name);
  const source = `${storage.description}/${objects.manifest}`;
  const manifest = parseManifest(await storage.get(objects.manifest), source);
  const directory = objects.blob.slice(0, objects.blob.lastIndexOf('/') + 1);
  return decodeWeights(manifest, await storage.get(`${directory}${manifest.blob}`), source);
}
