// The pictures' errors, in the data tools' family (../errors.ts): each names the image, file or category and
// says what to do next (`hint`); the CLI maps `kind` to its exit code.
import { DataError } from '../errors.js';

export class VisualizeError extends DataError {
  override name = 'VisualizeError';
}
