// Typed errors for the RoI head (targets, box head, losses, training steps).
// Callers branch on the class, never on the text; fields and message format come from worker/model/errors.ts.
import { ModelOptionError, ModelShapeError } from '../errors.js';

/** A tensor or array has the wrong length, rank, shape or dtype. */
export class RoiHeadShapeError extends ModelShapeError {
  override readonly name: string = 'RoiHeadShapeError';
}

/** An option or an input value is outside the range the method defines. */
export class RoiHeadOptionError extends ModelOptionError {
  override readonly name: string = 'RoiHeadOptionError';
}

/** Checks a count option is a positive integer. */
export function assertPositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RoiHeadOptionError(option, value, 'must be a positive integer');
  }
}
