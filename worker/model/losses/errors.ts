// Typed errors for the classifier losses and the FHM block.
// Callers branch on the class, never on the text; fields and message format come from worker/model/errors.ts.
import { ModelOptionError, ModelShapeError } from '../errors.js';

/** A tensor or array has the wrong length, rank, shape or dtype. */
export class LossShapeError extends ModelShapeError {
  override readonly name: string = 'LossShapeError';
}

/** An option or an input value is outside the range the method defines. */
export class LossOptionError extends ModelOptionError {
  override readonly name: string = 'LossOptionError';
}
