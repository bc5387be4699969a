// The detector's errors, under the model's shared shapes (./errors.ts) so callers branch on the class.
import { ModelOptionError, ModelShapeError } from './errors.js';

/** A config value the detector cannot be built or run with (e.g. a stage its classifier cannot train). */
export class DetectorOptionError extends ModelOptionError {
  override readonly name: string = 'DetectorOptionError';
}

/** A batch handed to the detector does not fit it (image count, box arrays, channels). */
export class DetectorInputError extends ModelShapeError {
  override readonly name: string = 'DetectorInputError';
}
