// Object names of the checkpoint layout (design.md, "S3 layout"), relative to a run's root (`--out DIR` or
// `<prefix>/runs/<ns>/<job>/<uid>/`):
//
//   checkpoints/<stage>/latest.json                    written last: the one committed checkpoint to load
//   checkpoints/<stage>/ckpt-<step>/manifest.json      every blob's size and SHA-256; written by commit()
//   checkpoints/<stage>/ckpt-<step>/shared/...         rank 0: weights, optimizer state (+ part.json)
//   checkpoints/<stage>/ckpt-<step>/rank-<r>/...       rank r: RNG state, data cursor, FHM statistics (+ part.json)
//
// part.json is written after the part's blobs, so its presence says the part is whole.
import { CheckpointLocationError } from './errors.js';

export const LATEST = 'latest.json';
export const MANIFEST = 'manifest.json';
export const PART_MANIFEST = 'part.json';
export const SHARED_PART = 'shared';

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Stage names become one path segment: letters, digits, `_ . -`, not starting with a dot. */
export function assertStage(stage: string): void {
  if (!PLAIN.test(stage)) {
    throw new CheckpointLocationError(
      `stage '${stage}'`,
      'is not a plain name',
      'use letters, digits, _ . - (e.g. stage1)',
    );
  }
}

export function assertStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new CheckpointLocationError(
      `step ${step}`,
      'is not a whole number >= 0',
      'pass the optimizer step',
    );
  }
}

/** A blob's name inside a part: one or more plain segments. */
export function assertBlobName(name: string): void {
  if (!name.split('/').every((segment) => PLAIN.test(segment)) || name === PART_MANIFEST) {
    throw new CheckpointLocationError(
      `blob '${name}'`,
      `is not a plain relative name (or is the reserved ${PART_MANIFEST})`,
      'use names like weights.bin or fhm/stats.bin',
    );
  }
}

export const rankPart = (rank: number): string => `rank-${rank}`;

export function stageDir(stage: string): string {
  assertStage(stage);
  return `checkpoints/${stage}`;
}

export function checkpointDir(stage: string, step: number): string {
  assertStep(step);
  return `${stageDir(stage)}/ckpt-${step}`;
}

export const latestName = (stage: string): string => `${stageDir(stage)}/${LATEST}`;

/** The step of a `ckpt-<step>` directory name, or undefined for anything else. */
export function parseCheckpointDir(segment: string): number | undefined {
  const match = /^ckpt-(0|[1-9][0-9]*)$/.exec(segment);
  if (match === null) return undefined;
  const step = Number(match[1]);
  return Number.isSafeInteger(step) ? step : undefined;
}
