// Typed errors for the box primitives and the RPN.
// Callers branch on the class, never on the text; fields and message format come from worker/model/errors.ts.
import { ModelOptionError, ModelShapeError } from '../errors.js';

/** A tensor or array has the wrong length, rank, shape or dtype. */
export class BoxShapeError extends ModelShapeError {
  override readonly name: string = 'BoxShapeError';
}

/** An option or an input value is outside the range the method defines. */
export class BoxOptionError extends ModelOptionError {
  override readonly name: string = 'BoxOptionError';
}

/** Checks a flat xyxy array holds whole boxes and returns how many. */
export function boxCount(boxes: ArrayLike<number>, input: string): number {
  if (boxes.length % 4 !== 0) {
    throw new BoxShapeError(
      input,
      [boxes.length],
      'a flat array of x1, y1, x2, y2 rows (length divisible by 4)',
    );
  }
  return boxes.length / 4;
}

/** Checks a numeric option lies in [min, max]. */
export function assertOptionInRange(option: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new BoxOptionError(option, value, `must be a number in [${min}, ${max}]`);
  }
}
