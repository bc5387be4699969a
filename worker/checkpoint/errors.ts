// Typed errors of the checkpoint store. Every one is a CheckpointError, so the trainer can tell "the stored
// checkpoints are unusable" from a bug with one `instanceof`; each names the object (file or S3 key) and says
// what to do. Callers branch on the class, never on the text.

/** Base of the family; `remedy` is the "what to do" sentence, also the message's last part. */
export class CheckpointError extends Error {
  override readonly name: string = 'CheckpointError';
  readonly remedy: string;

  constructor(message: string, remedy: string, options?: { cause?: unknown }) {
    super(`${message}; ${remedy}`, options);
    this.remedy = remedy;
  }
}

/** A checkpoint URI, stage name or step is not one the store accepts. */
export class CheckpointLocationError extends CheckpointError {
  override readonly name: string = 'CheckpointLocationError';
  readonly location: string;

  constructor(location: string, problem: string, remedy: string, options?: { cause?: unknown }) {
    super(`${location}: ${problem}`, remedy, options);
    this.location = location;
  }
}

/** The store has no object under the name asked for (a missing blob, part or manifest). */
export class CheckpointObjectMissingError extends CheckpointError {
  override readonly name: string = 'CheckpointObjectMissingError';
  /** The object's full location, e.g. `/runs/a/checkpoints/stage1/ckpt-20/manifest.json` or an s3:// URI. */
  readonly object: string;

  constructor(object: string, options?: { cause?: unknown }) {
    super(
      `${object} does not exist`,
      'the checkpoint was never completed or was pruned: resume from another one',
      options,
    );
    this.object = object;
  }
}

/**
 * A committed checkpoint does not match its manifest: a blob is missing, has another size or SHA-256, or a
 * manifest or latest.json is malformed. `resume: auto` falls back to the previous complete checkpoint.
 */
export class CheckpointCorruptError extends CheckpointError {
  override readonly name: string = 'CheckpointCorruptError';
  /** The damaged object's full location. */
  readonly object: string;
  readonly stage: string;
  /** The checkpoint's step, when known (undefined for a damaged latest.json). */
  readonly step: number | undefined;

  constructor(
    where: { object: string; stage: string; step?: number },
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${where.object}: ${problem}`,
      where.step === undefined
        ? `delete it and resume with an explicit checkpoint (resume: <uri>), or let resume: auto pick the newest complete one`
        : `delete checkpoint ${where.stage}/ckpt-${where.step} or resume from an earlier one (resume: auto does so)`,
      options,
    );
    this.object = where.object;
    this.stage = where.stage;
    this.step = where.step;
  }
}

/** commit() found parts missing: some rank did not finish writing its state (or wrote another world size). */
export class CheckpointIncompleteError extends CheckpointError {
  override readonly name: string = 'CheckpointIncompleteError';
  readonly stage: string;
  readonly step: number;
  /** The parts not found, e.g. `shared`, `rank-3`. */
  readonly missing: readonly string[];

  constructor(stage: string, step: number, missing: readonly string[], options?: { cause?: unknown }) {
    super(
      `checkpoint ${stage}/ckpt-${step} cannot be committed: ${missing.join(', ')} not written`,
      'every rank must write its part before rank 0 commits (barrier first); the previous checkpoint stays the latest',
      options,
    );
    this.stage = stage;
    this.step = step;
    this.missing = missing;
  }
}

/** A checkpoint made by another group or config than the one resuming from it. */
export class CheckpointMismatchError extends CheckpointError {
  override readonly name: string = 'CheckpointMismatchError';
  readonly object: string;
  readonly field: 'worldSize' | 'configDigest' | 'stage';
  readonly expected: string | number;
  readonly actual: string | number;

  constructor(
    object: string,
    field: CheckpointMismatchError['field'],
    expected: string | number,
    actual: string | number,
  ) {
    super(
      `${object}: ${field} is ${actual}; this run has ${expected}`,
      field === 'worldSize'
        ? 'per-rank state (RNG, data cursor) cannot be split differently: resume with the same number of ranks or start a new run'
        : 'resume with the config the checkpoint was made with, or start a new run (a new --out or job)',
    );
    this.object = object;
    this.field = field;
    this.expected = expected;
    this.actual = actual;
  }
}
