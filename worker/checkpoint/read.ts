// Reading checkpoints back. A checkpoint is loaded only whole: its manifest.json, then every blob it lists
// (every part, not just the reader's own, so all ranks reach the same verdict and fall back together), each
// checked against its size and SHA-256. `resume: auto` starts from latest.json and, when that checkpoint is
// damaged, falls back to the newest earlier checkpoint that verifies, saying so through `onFallback`.
import { CheckpointCorruptError, CheckpointMismatchError, CheckpointObjectMissingError } from './errors.js';
import {
  checkpointDir,
  latestName,
  MANIFEST,
  parseCheckpointDir,
  rankPart,
  SHARED_PART,
  stageDir,
} from './layout.js';
import {
  parseCheckpointManifest,
  parseLatestPointer,
  sha256,
  type CheckpointManifest,
  type LatestPointer,
} from './manifest.js';
import type { CheckpointStore } from './store.js';

/** A verified checkpoint: its manifest and every blob, by name relative to the checkpoint directory. */
export interface LoadedCheckpoint {
  stage: string;
  step: number;
  /** The checkpoint directory's location (path or s3:// URI). */
  uri: string;
  manifest: CheckpointManifest;
  blobs: ReadonlyMap<string, Uint8Array>;
}

/** The blobs of one part (`shared` or `rank-<r>`), by name relative to the part. */
export function partBlobs(checkpoint: LoadedCheckpoint, part: string): Map<string, Uint8Array> {
  const prefix = `${part}/`;
  return new Map(
    [...checkpoint.blobs]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, bytes]) => [name.slice(prefix.length), bytes]),
  );
}

export const sharedBlobs = (checkpoint: LoadedCheckpoint) => partBlobs(checkpoint, SHARED_PART);
export const rankBlobs = (checkpoint: LoadedCheckpoint, rank: number) =>
  partBlobs(checkpoint, rankPart(rank));

/** What the resuming run is; a checkpoint that differs is refused with CheckpointMismatchError. */
export interface ResumeExpectation {
  worldSize?: number;
  configDigest?: string;
}

export interface ReadOptions {
  expect?: ResumeExpectation;
  signal?: AbortSignal;
  /** Internal: the manifest's SHA-256 latest.json recorded. */
  manifestSha256?: string;
}

/** Loads and verifies checkpoint (stage, step); CheckpointCorruptError names the first object that fails. */
export async function readCheckpoint(
  store: CheckpointStore,
  stage: string,
  step: number,
  options: ReadOptions = {},
): Promise<LoadedCheckpoint> {
  const { signal, expect = {} } = options;
  signal?.throwIfAborted();
  const dir = checkpointDir(stage, step);
  const manifestObject = store.locate(`${dir}/${MANIFEST}`);
  let manifestBytes: Uint8Array;
  try {
    manifestBytes = await store.get(`${dir}/${MANIFEST}`, signal);
  } catch (error) {
    if (error instanceof CheckpointObjectMissingError) {
      throw new CheckpointCorruptError(
        { object: manifestObject, stage, step },
        'is missing: the checkpoint was never committed (torn) or was pruned',
        { cause: error },
      );
    }
    throw error;
  }
  if (options.manifestSha256 !== undefined && sha256(manifestBytes) !== options.manifestSha256) {
    throw new CheckpointCorruptError(
      { object: manifestObject, stage, step },
      `has SHA-256 ${sha256(manifestBytes)}; latest.json recorded ${options.manifestSha256}`,
    );
  }
  const manifest = parseCheckpointManifest(manifestBytes, { object: manifestObject, stage, step });
  if (expect.worldSize !== undefined && manifest.worldSize !== expect.worldSize) {
    throw new CheckpointMismatchError(manifestObject, 'worldSize', expect.worldSize, manifest.worldSize);
  }
  if (expect.configDigest !== undefined && manifest.configDigest !== expect.configDigest) {
    throw new CheckpointMismatchError(
      manifestObject,
      'configDigest',
      expect.configDigest,
      manifest.configDigest,
    );
  }
  const blobs = new Map<string, Uint8Array>();
  for (const entry of manifest.blobs) {
    const object = store.locate(`${dir}/${entry.name}`);
    let bytes: Uint8Array;
    try {
      bytes = await store.get(`${dir}/${entry.name}`, signal);
    } catch (error) {
      if (error instanceof CheckpointObjectMissingError) {
        throw new CheckpointCorruptError({ object, stage, step }, 'is listed in manifest.json but missing', {
          cause: error,
        });
      }
      throw error;
    }
    if (bytes.byteLength !== entry.size) {
      throw new CheckpointCorruptError(
        { object, stage, step },
        `has ${bytes.byteLength} bytes; manifest.json says ${entry.size}`,
      );
    }
    const actual = sha256(bytes);
    if (actual !== entry.sha256) {
      throw new CheckpointCorruptError(
        { object, stage, step },
        `has SHA-256 ${actual}; manifest.json says ${entry.sha256}`,
      );
    }
    blobs.set(entry.name, bytes);
  }
  return { stage, step, uri: store.locate(dir), manifest, blobs };
}

/** The stage's latest.json, or undefined when the stage has none (nothing was ever committed). */
export async function readLatestPointer(
  store: CheckpointStore,
  stage: string,
  signal?: AbortSignal,
): Promise<LatestPointer | undefined> {
  const name = latestName(stage);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(name, signal);
  } catch (error) {
    if (error instanceof CheckpointObjectMissingError) return undefined;
    throw error;
  }
  return parseLatestPointer(bytes, { object: store.locate(name), stage });
}

export interface CheckpointListing {
  step: number;
  /** manifest.json is present (commit() got that far). */
  committed: boolean;
  /** latest.json points at it. */
  latest: boolean;
  /** Every object under its directory. */
  objects: string[];
}

/** Every `ckpt-<step>` directory of the stage, by step ascending. */
export async function listCheckpoints(
  store: CheckpointStore,
  stage: string,
  signal?: AbortSignal,
): Promise<CheckpointListing[]> {
  const base = stageDir(stage);
  const names = await store.list(base, signal);
  let latest: number | undefined;
  try {
    latest = (await readLatestPointer(store, stage, signal))?.step;
  } catch (error) {
    if (!(error instanceof CheckpointCorruptError)) throw error;
  }
  const byStep = new Map<number, string[]>();
  for (const name of names) {
    const [directory] = name.slice(base.length + 1).split('/');
    const step = parseCheckpointDir(directory ?? '');
    if (step === undefined) continue;
    byStep.set(step, [...(byStep.get(step) ?? []), name]);
  }
  return [...byStep]
    .sort(([a], [b]) => a - b)
    .map(([step, objects]) => ({
      step,
      committed: objects.includes(`${checkpointDir(stage, step)}/${MANIFEST}`),
      latest: step === latest,
      objects,
    }));
}

export interface ResumeOptions extends ReadOptions {
  /** Told about every damaged checkpoint skipped: the error and the step tried next (undefined: none left). */
  onFallback?: (error: CheckpointCorruptError, next: number | undefined) => void;
}

/**
 * `resume: auto`: the checkpoint latest.json points at, verified; if it (or latest.json itself) is damaged,
 * the newest earlier committed checkpoint that verifies. Undefined when the stage has no latest.json (a fresh
 * start). Throws the first CheckpointCorruptError when no checkpoint verifies, and a CheckpointMismatchError at
 * once (another config or world size is not a damaged checkpoint).
 */
export async function resumeLatest(
  store: CheckpointStore,
  stage: string,
  options: ResumeOptions = {},
): Promise<LoadedCheckpoint | undefined> {
  const { signal, onFallback } = options;
  let pointer: LatestPointer | undefined;
  let first: CheckpointCorruptError | undefined;
  try {
    pointer = await readLatestPointer(store, stage, signal);
    if (pointer === undefined) return undefined;
    return await readCheckpoint(store, stage, pointer.step, {
      ...options,
      manifestSha256: pointer.manifestSha256,
    });
  } catch (error) {
    if (!(error instanceof CheckpointCorruptError)) throw error;
    first = error;
  }
  const below = pointer?.step ?? Number.POSITIVE_INFINITY;
  const candidates = (await listCheckpoints(store, stage, signal))
    .filter((listing) => listing.committed && listing.step < below)
    .map((listing) => listing.step)
    .reverse();
  let failed = first;
  for (const step of candidates) {
    onFallback?.(failed, step);
    try {
      return await readCheckpoint(store, stage, step, options);
    } catch (error) {
      if (!(error instanceof CheckpointCorruptError)) throw error;
      failed = error;
    }
  }
  onFallback?.(failed, undefined);
  throw first;
}
