// Typed errors for the classifier losses and the FHM block. Callers branch on the class, never on the text.

/** A tensor or array handed to a loss has the wrong rank, shape or dtype. */
export class LossShapeError extends Error {
  override readonly name = 'LossShapeError';
  /** The argument's name as the caller knows it, e.g. `logits` or `labels`. */
  readonly input: string;
  /** The shape that was received. */
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

/** An option or a label value is outside the range the method defines. */
export class LossOptionError extends Error {
  override readonly name = 'LossOptionError';
  /** The option's name, e.g. `probThreshold`, or the input holding the bad value, e.g. `labels[3]`. */
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string, options?: { cause?: unknown }) {
    super(`${option} = ${String(value)} is invalid: ${requirement}`, options);
    this.option = option;
    this.value = value;
  }
}
