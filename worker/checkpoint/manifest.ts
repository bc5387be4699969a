// The JSON documents of a checkpoint: each part's part.json, the checkpoint's manifest.json and the stage's
// latest.json, with their parsers. A parser that meets anything else throws CheckpointCorruptError naming the
// object, so a damaged document is reported like a damaged blob.
import { createHash } from 'node:crypto';
import { CheckpointCorruptError } from './errors.js';

export const FORMAT_VERSION = 1;

/** One stored blob. `name` is relative to the part (part.json) or to the checkpoint directory (manifest.json). */
export interface BlobEntry {
  name: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}

export interface PartManifest {
  format: 'bacl-checkpoint-part';
  version: 1;
  stage: string;
  step: number;
  /** `shared` or `rank-<r>`. */
  part: string;
  blobs: BlobEntry[];
}

export interface CheckpointManifest {
  format: 'bacl-checkpoint';
  version: 1;
  stage: string;
  step: number;
  worldSize: number;
  /** The effective config's digest, so a run never resumes from a checkpoint of another config. */
  configDigest: string;
  /** ISO 8601, when commit() wrote the manifest. */
  created: string;
  /** Every blob of every part, by its name relative to the checkpoint directory, sorted by name. */
  blobs: BlobEntry[];
}

export interface LatestPointer {
  format: 'bacl-checkpoint-latest';
  version: 1;
  stage: string;
  step: number;
  /** The checkpoint directory relative to the stage directory: `ckpt-<step>`. */
  checkpoint: string;
  /** SHA-256 of the manifest.json it points at: a manifest replaced after the commit is caught. */
  manifestSha256: string;
  created: string;
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const encodeJson = (value: unknown): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 1)}\n`);

interface Where {
  object: string;
  stage: string;
  step?: number;
}

function parseObject(bytes: Uint8Array, where: Where, format: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new CheckpointCorruptError(where, 'is not JSON', { cause: error });
  }
  const record = parsed as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || record.format !== format) {
    throw new CheckpointCorruptError(where, `is not a '${format}' document`);
  }
  if (record.version !== FORMAT_VERSION) {
    throw new CheckpointCorruptError(
      where,
      `has format version ${String(record.version)}; this worker reads version ${FORMAT_VERSION}`,
    );
  }
  return record;
}

const isStep = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function checkBlobs(value: unknown, where: Where): BlobEntry[] {
  if (!Array.isArray(value)) throw new CheckpointCorruptError(where, "has no 'blobs' list");
  return value.map((entry: Partial<BlobEntry> | null, i) => {
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.name !== 'string' ||
      !isStep(entry.size) ||
      typeof entry.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(entry.sha256)
    ) {
      throw new CheckpointCorruptError(where, `blobs[${i}] is not {name, size, sha256}`);
    }
    return { name: entry.name, size: entry.size, sha256: entry.sha256 };
  });
}

function checkIdentity(record: Record<string, unknown>, where: Where): void {
  if (record.stage !== where.stage) {
    throw new CheckpointCorruptError(where, `names stage ${String(record.stage)}, not ${where.stage}`);
  }
  if (!isStep(record.step) || (where.step !== undefined && record.step !== where.step)) {
    throw new CheckpointCorruptError(where, `names step ${String(record.step)}, not ${where.step}`);
  }
}

export function parsePartManifest(bytes: Uint8Array, where: Where & { part: string }): PartManifest {
  const record = parseObject(bytes, where, 'bacl-checkpoint-part');
  checkIdentity(record, where);
  if (record.part !== where.part) {
    throw new CheckpointCorruptError(where, `names part ${String(record.part)}, not ${where.part}`);
  }
  return { ...(record as unknown as PartManifest), blobs: checkBlobs(record.blobs, where) };
}

export function parseCheckpointManifest(bytes: Uint8Array, where: Where): CheckpointManifest {
  const record = parseObject(bytes, where, 'bacl-checkpoint');
  checkIdentity(record, where);
  if (!Number.isSafeInteger(record.worldSize) || (record.worldSize as number) < 1) {
    throw new CheckpointCorruptError(where, 'has no valid worldSize');
  }
  if (typeof record.configDigest !== 'string' || typeof record.created !== 'string') {
    throw new CheckpointCorruptError(where, 'has no configDigest or created time');
  }
  return { ...(record as unknown as CheckpointManifest), blobs: checkBlobs(record.blobs, where) };
}

export function parseLatestPointer(bytes: Uint8Array, where: Where): LatestPointer {
  const record = parseObject(bytes, where, 'bacl-checkpoint-latest');
  checkIdentity(record, where);
  const step = record.step as number;
  if (record.checkpoint !== `ckpt-${step}` || typeof record.manifestSha256 !== 'string') {
    throw new CheckpointCorruptError(where, `does not point at ckpt-${step} with its manifest's SHA-256`);
  }
  return record as unknown as LatestPointer;
}
