// Serialisation of what a checkpoint holds, on the weights' tensor-blob format (worker/model/weights/
// tensor-blob.ts: raw little-endian data + a JSON layout, so a round trip is bitwise):
//
//   shared/weights.bin + weights.json       every parameter and state variable (readTargets)
//   shared/optimizer.bin + optimizer.json   the momentum buffer of every parameter, by parameter name
//   rank-<r>/state.json                     RNG state (uint32 words) and the data cursor (any JSON value)
//   rank-<r>/fhm.bin + fhm.json             FHM statistics (float32 arrays, fhmStateArrays)
//
// The blobs' SHA-256s are checked by readCheckpoint before any of this decodes them.
import {
  decodeWeights,
  encodeWeights,
  parseManifest,
  WeightsFormatError,
  type NamedArray,
} from '../model/weights/index.js';
import { CheckpointCorruptError } from './errors.js';
import { rankPart, SHARED_PART } from './layout.js';
import { encodeJson } from './manifest.js';
import { partBlobs, type LoadedCheckpoint } from './read.js';

/** `<base>.bin` and `<base>.json` for `arrays`. */
export function tensorBlobs(base: string, arrays: readonly NamedArray[]): Record<string, Uint8Array> {
  const { manifest, blob } = encodeWeights(arrays, `${base}.bin`);
  return { [`${base}.bin`]: blob, [`${base}.json`]: encodeJson(manifest) };
}

function tensorsFrom(checkpoint: LoadedCheckpoint, part: string, base: string): NamedArray[] {
  const blobs = partBlobs(checkpoint, part);
  const object = `${checkpoint.uri}/${part}/${base}.json`;
  const where = { object, stage: checkpoint.stage, step: checkpoint.step };
  const layout = blobs.get(`${base}.json`);
  const blob = blobs.get(`${base}.bin`);
  if (layout === undefined || blob === undefined) {
    throw new CheckpointCorruptError(where, `${part} has no ${base}.bin with its ${base}.json`);
  }
  try {
    return decodeWeights(parseManifest(layout, object), blob, object);
  } catch (error) {
    if (error instanceof WeightsFormatError)
      throw new CheckpointCorruptError(where, error.message, { cause: error });
    throw error;
  }
}

/** Rank 0's model state. `optimizer` holds one momentum buffer per parameter, named as the parameter. */
export interface SharedState {
  weights: readonly NamedArray[];
  optimizer: readonly NamedArray[];
}

export function encodeSharedState(state: SharedState): Record<string, Uint8Array> {
  return { ...tensorBlobs('weights', state.weights), ...tensorBlobs('optimizer', state.optimizer) };
}

export function decodeSharedState(checkpoint: LoadedCheckpoint): SharedState {
  return {
    weights: tensorsFrom(checkpoint, SHARED_PART, 'weights'),
    optimizer: tensorsFrom(checkpoint, SHARED_PART, 'optimizer'),
  };
}

/** JSON values only: what a data cursor may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One rank's own state. */
export interface RankState {
  /** The RNG's internal state as uint32 words (e.g. a seeded generator's counter), restored exactly. */
  rng: readonly number[];
  /** Where the rank's data stream stands (shard, offset, epoch...), as the data pipeline defines it. */
  cursor: JsonValue;
  /** FHM statistics (float32 moments, the uint8 `used` flags: fhmStateArrays); [] when the stage has none. */
  fhm: readonly NamedArray[];
}

const isUint32 = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;

export function encodeRankState(state: RankState): Record<string, Uint8Array> {
  state.rng.forEach((word, i) => {
    if (!isUint32(word)) throw new RangeError(`rng[${i}] = ${word} is not a uint32 word`);
  });
  state.fhm.forEach((array) => {
    if (array.dtype === 'int32')
      throw new RangeError(`FHM statistic ${array.name} is ${array.dtype}, not float32 or uint8`);
  });
  return {
    'state.json': encodeJson({ format: 'bacl-rank-state', version: 1, rng: state.rng, cursor: state.cursor }),
    ...tensorBlobs('fhm', state.fhm),
  };
}

export function decodeRankState(checkpoint: LoadedCheckpoint, rank: number): RankState {
  const part = rankPart(rank);
  const object = `${checkpoint.uri}/${part}/state.json`;
  const where = { object, stage: checkpoint.stage, step: checkpoint.step };
  const bytes = partBlobs(checkpoint, part).get('state.json');
  if (bytes === undefined) throw new CheckpointCorruptError(where, 'is missing from the checkpoint');
  let parsed: { format?: unknown; version?: unknown; rng?: unknown; cursor?: JsonValue };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes)) as typeof parsed;
  } catch (error) {
    throw new CheckpointCorruptError(where, 'is not JSON', { cause: error });
  }
  if (
    parsed.format !== 'bacl-rank-state' ||
    parsed.version !== 1 ||
    !Array.isArray(parsed.rng) ||
    !parsed.rng.every(isUint32) ||
    !('cursor' in parsed)
  ) {
    throw new CheckpointCorruptError(
      where,
      "is not a 'bacl-rank-state' version 1 document with uint32 rng words",
    );
  }
  return {
    rng: parsed.rng as number[],
    cursor: parsed.cursor as JsonValue,
    fhm: tensorsFrom(checkpoint, part, 'fhm'),
  };
}
