// Typed errors for inference (post-processing and the results rows).
// Callers branch on the class, never on the text; fields and message format come from worker/model/errors.ts.
import { ModelOptionError, ModelShapeError } from '../errors.js';

/** A tensor or array has the wrong length, rank, shape or dtype. */
export class InferenceShapeError extends ModelShapeError {
  override readonly name: string = 'InferenceShapeError';
}

/** An option or an input value is outside the range the method defines. */
export class InferenceOptionError extends ModelOptionError {
  override readonly name: string = 'InferenceOptionError';
}
