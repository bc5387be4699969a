// Typed errors of the evaluate stage. Callers branch on the class; each names what was wrong (the option, the
// rank's part, the image) and what to do about it.

import { RuntimeError } from './errors.js';

/**
 * The base of the evaluate stage's errors: `instanceof EvaluateError` catches every one of them. A runtime
 * error like the trainer's, so bacl-worker reports it as one (exit 1, no stack).
 */
export class EvaluateError extends RuntimeError {
  override readonly name: string = 'EvaluateError';
}

/** An option of the stage is outside its range or contradicts another (a caller's or a config's error). */
export class EvaluateOptionError extends EvaluateError {
  override readonly name: string = 'EvaluateOptionError';

  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${field} = ${JSON.stringify(value)}: ${expected}`);
  }
}

/**
 * The ranks' detections do not add up to one evaluation: a part missing or from another world size, an image
 * inferred twice or not at all, a detection that is not a finite number. `rank` is -1 when no one rank is
 * to blame.
 */
export class EvaluateMergeError extends EvaluateError {
  override readonly name: string = 'EvaluateMergeError';

  constructor(
    readonly rank: number,
    readonly problem: string,
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${rank >= 0 ? `rank ${rank}: ` : ''}${problem}; ${fix}`, options);
  }
}

/**
 * Another rank of the group failed during the stage (it threw and aborted the group, or died: the
 * collective's PeerLostError), so this rank stops too and no metrics are written. `rank` is the failed rank;
 * its own log holds its error.
 */
export class EvaluateRankError extends EvaluateError {
  override readonly name: string = 'EvaluateRankError';

  constructor(
    readonly rank: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `evaluate: rank ${rank} failed (${reason}); no metrics were written. Try this: read rank ${rank}'s ` +
        'error in its log, fix it and evaluate again',
      options,
    );
  }
}
