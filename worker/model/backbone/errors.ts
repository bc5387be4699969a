// Typed errors for the backbone, the FPN and the parameter store. Callers branch on the class, never on the text.

/** A model option (depth, widths, frozen stages, channels) is outside what the architecture defines. */
export class ModelOptionError extends Error {
  override readonly name = 'ModelOptionError';
  /** The option's name, e.g. `frozenStages` or `stages[2].blocks`. */
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string, options?: { cause?: unknown }) {
    super(`${option} = ${JSON.stringify(value)} is invalid: ${requirement}`, options);
    this.option = option;
    this.value = value;
  }
}

/** A parameter name is registered twice, or asked for but never registered. */
export class ParameterNameError extends Error {
  override readonly name = 'ParameterNameError';
  /** The store-level name, e.g. `backbone.layer1.0.conv1.weight`. */
  readonly parameter: string;

  constructor(parameter: string, problem: string, options?: { cause?: unknown }) {
    super(`parameter '${parameter}' ${problem}`, options);
    this.parameter = parameter;
  }
}

/** A model input has the wrong rank, shape or dtype. */
export class ModelInputError extends Error {
  override readonly name = 'ModelInputError';
  /** The argument's name as the caller knows it, e.g. `images` or `features[1]`. */
  readonly input: string;
  readonly actual: readonly number[];
  /** What was expected, in words, e.g. `[B, H, W, 3] float32`. */
  readonly expected: string;

  constructor(input: string, actual: readonly number[], expected: string, options?: { cause?: unknown }) {
    super(`${input} has shape [${actual.join(', ')}]; expected ${expected}`, options);
    this.input = input;
    this.actual = actual;
    this.expected = expected;
  }
}
