// The training runtime's errors: one base, each naming the stage, step or rank it is about and what to do.
// bacl-worker maps them to exit codes (common/exit-codes.ts) and, for LossDiverged, to the reason the operator
// puts in the job's Failed condition.
import type { TrainingStageName } from '../../common/index.js';

export class RuntimeError extends Error {
  override readonly name: string = 'RuntimeError';
}

/**
 * A step's loss (summed over ranks) is NaN or infinite, the step not applied; or (`term` 'weights: <array>') a
 * step's update made the model non-finite, found before its checkpoint was written, so no checkpoint holds it.
 */
export class LossDivergedError extends RuntimeError {
  override readonly name = 'LossDivergedError';
  /** The reason a job's Failed condition carries. */
  readonly reason = 'LossDiverged';

  constructor(
    readonly stage: TrainingStageName,
    /** The 0-based optimizer step that produced it (it was not applied). */
    readonly step: number,
    /** mmdet's name of the first non-finite term: loss_rpn_cls, loss_rpn_bbox, loss_cls, loss_bbox or loss. */
    readonly term: string,
    readonly value: number,
    /** The last committed checkpoint, kept; undefined when the stage had none yet. */
    readonly lastCheckpoint: string | undefined,
  ) {
    super(
      `LossDiverged: stage ${stage}, step ${step + 1}: ${term} is ${value}; ` +
        (term.startsWith('weights: ')
          ? 'the update made the model non-finite and was not checkpointed. '
          : 'the step was not applied. ') +
        (lastCheckpoint === undefined
          ? 'No checkpoint of this stage was written yet. '
          : `The last good checkpoint is kept: ${lastCheckpoint}. `) +
        `Try this: lower schedule.${stage}.lr (or lengthen warmup_iters) and run again`,
    );
  }
}

/** Ranks started from different weights, or a checkpoint does not fit this run. */
export class RankStateError extends RuntimeError {
  override readonly name = 'RankStateError';
}
