// The model's error family. Every error the model code throws (backbone, FPN, boxes and RPN, RoIAlign, RoI head,
// losses, inference, detector, weights) is a ModelError, so a runtime can tell "this batch or config does not fit
// the model" from a bug with one `instanceof`. The two shared shapes below define their fields and message
// format once; each block subclasses them under its own name so callers can also branch on the block.

/** Base of the family; subclasses set `name` and carry the data a caller needs. */
export class ModelError extends Error {
  override readonly name: string = 'ModelError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A tensor or array handed to a block has the wrong length, rank, shape or dtype. */
export class ModelShapeError extends ModelError {
  override readonly name: string = 'ModelShapeError';
  /** The argument's name as the caller knows it, e.g. `logits`, `images` or `features[1]`. */
  readonly input: string;
  /** The shape that was received (a flat array's length is reported as `[length]`). */
  readonly actual: readonly number[];
  /** What was expected, in words, e.g. `[N, C+1] with C+1 = 4` or `[B, H, W, 3] float32`. */
  readonly expected: string;

  constructor(input: string, actual: readonly number[], expected: string, options?: { cause?: unknown }) {
    super(`${input} has shape [${actual.join(', ')}]; expected ${expected}`, options);
    this.input = input;
    this.actual = actual;
    this.expected = expected;
  }
}

/** An option (threshold, count, depth, channels) or an input value is outside the range the method defines. */
export class ModelOptionError extends ModelError {
  override readonly name: string = 'ModelOptionError';
  /** The option's name, e.g. `posIouThreshold` or `stages[2].blocks`, or the input holding the bad value. */
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string, options?: { cause?: unknown }) {
    super(`${option} = ${formatValue(value)} is invalid: ${requirement}`, options);
    this.option = option;
    this.value = value;
  }
}

/** Numbers and words as they are; lists in brackets, so `[]` and `[64, 0]` read as lists; records as JSON. */
function formatValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item)).join(', ')}]`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return formatValue(Array.from(value as unknown as ArrayLike<number>));
  }
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value); // a cycle or a BigInt inside: at least the type
    }
  }
  return String(value);
}
