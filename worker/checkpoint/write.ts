// Writing a checkpoint across ranks, as plain functions the trainer sequences around a barrier (the collective
// comes later; nothing here talks to other ranks):
//
//   every rank r:  writeRankState(store, stage, step, r, blobs)     → ckpt-<step>/rank-<r>/…, then its part.json
//   rank 0:        writeSharedState(store, stage, step, blobs)      → ckpt-<step>/shared/…, then its part.json
//   barrier
//   rank 0:        commit(store, {stage, step, worldSize, …})       → checks every part, manifest.json, latest.json
//
// A part's part.json is written after its blobs, and commit() writes latest.json last, after it has seen every
// part's part.json and every blob at its recorded size. A process killed anywhere before that last PutObject
// (or rename) leaves latest.json pointing at the previous checkpoint. docs/adr/0023-checkpoints.md.
import { CheckpointIncompleteError, CheckpointObjectMissingError } from './errors.js';
import {
  assertBlobName,
  checkpointDir,
  latestName,
  MANIFEST,
  PART_MANIFEST,
  rankPart,
  SHARED_PART,
} from './layout.js';
import {
  encodeJson,
  parsePartManifest,
  sha256,
  type BlobEntry,
  type CheckpointManifest,
  type LatestPointer,
  type PartManifest,
} from './manifest.js';
import type { CheckpointStore } from './store.js';

export type Blobs = ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;

function entriesOf(blobs: Blobs): [string, Uint8Array][] {
  if (blobs instanceof Map) return [...(blobs as ReadonlyMap<string, Uint8Array>)];
  return Object.entries(blobs as Readonly<Record<string, Uint8Array>>);
}

/**
 * Writes one part: removes any part.json an earlier attempt left, writes the blobs, then part.json (their names,
 * sizes and SHA-256s). Returns the part manifest.
 */
export async function writePart(
  store: CheckpointStore,
  stage: string,
  step: number,
  part: string,
  blobs: Blobs,
  signal?: AbortSignal,
): Promise<PartManifest> {
  const dir = `${checkpointDir(stage, step)}/${part}`;
  // A part.json left by an earlier attempt at this step must not vouch for blobs this attempt half rewrote.
  signal?.throwIfAborted();
  await store.remove([`${dir}/${PART_MANIFEST}`], signal);
  const entries = entriesOf(blobs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const listed: BlobEntry[] = [];
  for (const [name, bytes] of entries) {
    assertBlobName(name);
    await store.put(`${dir}/${name}`, bytes, signal);
    listed.push({ name, size: bytes.byteLength, sha256: sha256(bytes) });
  }
  const manifest: PartManifest = {
    format: 'bacl-checkpoint-part',
    version: 1,
    stage,
    step,
    part,
    blobs: listed,
  };
  await store.put(`${dir}/${PART_MANIFEST}`, encodeJson(manifest), signal);
  return manifest;
}

/** Rank 0's part: weights and optimizer state (serialise them with state.ts). */
export function writeSharedState(
  store: CheckpointStore,
  stage: string,
  step: number,
  blobs: Blobs,
  signal?: AbortSignal,
): Promise<PartManifest> {
  return writePart(store, stage, step, SHARED_PART, blobs, signal);
}

/** Rank `rank`'s own part: RNG state, data cursor, FHM statistics (state.ts encodeRankState). */
export function writeRankState(
  store: CheckpointStore,
  stage: string,
  step: number,
  rank: number,
  blobs: Blobs,
  signal?: AbortSignal,
): Promise<PartManifest> {
  if (!Number.isSafeInteger(rank) || rank < 0)
    throw new RangeError(`rank ${rank} is not a whole number >= 0`);
  return writePart(store, stage, step, rankPart(rank), blobs, signal);
}

export interface CommitOptions {
  stage: string;
  step: number;
  worldSize: number;
  configDigest: string;
  /** @default () => new Date(): injected so tests and replays write the same manifest */
  now?: () => Date;
  signal?: AbortSignal;
}

/** What commit() made visible; `uri` is the checkpoint directory, as a checkpoint report carries it. */
export interface CommittedCheckpoint {
  stage: string;
  step: number;
  uri: string;
  time: string;
  manifest: CheckpointManifest;
}

/**
 * Rank 0, after the barrier: checks that the shared part and every rank's part are whole (part.json present,
 * each listed blob present at its size), writes manifest.json, then latest.json. Throws
 * CheckpointIncompleteError listing every missing part or blob, before writing anything.
 */
export async function commit(store: CheckpointStore, options: CommitOptions): Promise<CommittedCheckpoint> {
  const { stage, step, worldSize, configDigest, signal } = options;
  signal?.throwIfAborted();
  if (!Number.isSafeInteger(worldSize) || worldSize < 1) {
    throw new RangeError(`worldSize ${worldSize} is not a whole number >= 1`);
  }
  const dir = checkpointDir(stage, step);
  const parts = [SHARED_PART, ...Array.from({ length: worldSize }, (_, rank) => rankPart(rank))];
  const missing: string[] = [];
  const blobs: BlobEntry[] = [];
  for (const part of parts) {
    const name = `${dir}/${part}/${PART_MANIFEST}`;
    let bytes: Uint8Array;
    try {
      bytes = await store.get(name, signal);
    } catch (error) {
      if (error instanceof CheckpointObjectMissingError) {
        missing.push(part);
        continue;
      }
      throw error;
    }
    const manifest = parsePartManifest(bytes, { object: store.locate(name), stage, step, part });
    for (const blob of manifest.blobs) {
      const blobName = `${part}/${blob.name}`;
      if ((await store.size(`${dir}/${blobName}`, signal)) !== blob.size) missing.push(blobName);
      else blobs.push({ ...blob, name: blobName });
    }
  }
  if (missing.length > 0) throw new CheckpointIncompleteError(stage, step, missing);
  const created = (options.now ?? (() => new Date()))().toISOString();
  const manifest: CheckpointManifest = {
    format: 'bacl-checkpoint',
    version: 1,
    stage,
    step,
    worldSize,
    configDigest,
    created,
    blobs: blobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
  const manifestBytes = encodeJson(manifest);
  await store.put(`${dir}/${MANIFEST}`, manifestBytes, signal);
  const latest: LatestPointer = {
    format: 'bacl-checkpoint-latest',
    version: 1,
    stage,
    step,
    checkpoint: `ckpt-${step}`,
    manifestSha256: sha256(manifestBytes),
    created,
  };
  await store.put(latestName(stage), encodeJson(latest), signal);
  return { stage, step, uri: store.locate(dir), time: created, manifest };
}
