// Seeded checkpoint contents and a store-agnostic write helper for the checkpoint tests.
import { seededRng } from '../../../common/index.js';
import {
  commit,
  encodeRankState,
  encodeSharedState,
  writeRankState,
  writeSharedState,
  type CheckpointStore,
  type CommittedCheckpoint,
  type NamedArray,
  type RankState,
  type SharedState,
} from '../../../worker/internal.js';

/** Float32 values with awkward bits (NaN payloads, -0, denormals) so a bitwise round trip means something. */
export function seededFloats(seed: number, length: number): Float32Array {
  const rng = seededRng(seed);
  const values = Float32Array.from({ length }, () => (rng() - 0.5) * 1e3);
  const bits = new Uint32Array(values.buffer);
  if (length > 3) {
    bits[0] = 0x7fc00123; // NaN with a payload
    bits[1] = 0x80000000; // -0
    bits[2] = 0x00000001; // smallest denormal
  }
  return values;
}

export function sharedState(seed: number): SharedState {
  const weights: NamedArray[] = [
    {
      name: 'backbone.conv1.weight',
      kind: 'parameter',
      dtype: 'float32',
      shape: [4, 3, 3, 3],
      data: seededFloats(seed, 108),
    },
    {
      name: 'backbone.bn1.running_mean',
      kind: 'state',
      dtype: 'float32',
      shape: [4],
      data: seededFloats(seed + 1, 4),
    },
    { name: 'step_counter', kind: 'state', dtype: 'int32', shape: [2], data: Int32Array.from([seed, -seed]) },
  ];
  const optimizer: NamedArray[] = [
    {
      name: 'backbone.conv1.weight',
      kind: 'state',
      dtype: 'float32',
      shape: [4, 3, 3, 3],
      data: seededFloats(seed + 2, 108),
    },
  ];
  return { weights, optimizer };
}

export function rankState(seed: number, rank: number): RankState {
  return {
    rng: [(seed * 7919 + rank) >>> 0, 0xffffffff, 0],
    cursor: { epoch: 1, shard: rank, offset: seed * 10 + rank, order: [3, 1, 2] },
    fhm: [
      {
        name: 'fhm.mean',
        kind: 'state',
        dtype: 'float32',
        shape: [5, 2],
        data: seededFloats(seed * 10 + rank, 10),
      },
    ],
  };
}

/** Every rank's part and the shared part of checkpoint (stage, step), then the commit. */
export async function writeCheckpoint(
  store: CheckpointStore,
  stage: string,
  step: number,
  worldSize: number,
  options: { commit?: boolean; configDigest?: string } = {},
): Promise<CommittedCheckpoint | undefined> {
  await writeSharedState(store, stage, step, encodeSharedState(sharedState(step)));
  for (let rank = 0; rank < worldSize; rank++) {
    await writeRankState(store, stage, step, rank, encodeRankState(rankState(step, rank)));
  }
  if (options.commit === false) return undefined;
  return commit(store, {
    stage,
    step,
    worldSize,
    configDigest: options.configDigest ?? 'sha256:config-a',
    now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, step)),
  });
}

/** The bytes of a typed array, for bitwise comparison. */
export const bytesOf = (array: NamedArray['data']): Uint8Array =>
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
