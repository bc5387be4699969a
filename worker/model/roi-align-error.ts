// The typed error of the RoI feature extractor: which RoI or input was wrong, so a caller can log and skip it.
import { ModelError } from './errors.js';

export class RoiAlignError extends ModelError {
  override readonly name: string = 'RoiAlignError';
  constructor(
    message: string,
    /** Index of the offending RoI, when one RoI is at fault. */
    readonly roiIndex?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
