// The model's error shapes, shared by its blocks (losses, boxes, RPN, ...). Each block subclasses them under
// its own name so callers can branch on the class; the message format and fields are defined once here.

/** A tensor or array handed to a block has the wrong length, rank, shape or dtype. */
export class ModelShapeError extends Error {
  override readonly name: string = 'ModelShapeError';
  /** The argument's name as the caller knows it, e.g. `logits` or `clsScores[2]`. */
  readonly input: string;
  /** The shape that was received (a flat array's length is reported as `[length]`). */
  readonly actual: readonly number[];
  /** What was expected, in words, e.g. `[N, C+1] with C+1 = 4`. */
  readonly expected: string;

  constructor(input: string, actual: readonly number[], expected: string, options?: { cause?: unknown }) {
    super(`${input} has shape [${actual.join(', ')}]; expected ${expected}`, options);
    this.input = input;
    this.actual = actual;
    this.expected = expected;
  }
}

/** An option (threshold, count, fraction) or an input value is outside the range the method defines. */
export class ModelOptionError extends Error {
  override readonly name: string = 'ModelOptionError';
  /** The option's name, e.g. `posIouThreshold`, or the input holding the bad value, e.g. `labels[3]`. */
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string, options?: { cause?: unknown }) {
    super(`${option} = ${String(value)} is invalid: ${requirement}`, options);
    this.option = option;
    this.value = value;
  }
}
