// The synthetic generator's error catalogue. `hint` is the one thing to do next; `kind` tells a CLI which exit
// code fits (usage: the options; exists: the destination).

export type SynthErrorKind = 'usage' | 'exists';

export class SynthError extends Error {
  override name = 'SynthError';
  readonly kind: SynthErrorKind;
  readonly hint: string;

  constructor(message: string, kind: SynthErrorKind, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.hint = hint;
  }
}

/** An option is out of range or the options cannot be satisfied together; `option` names the field. */
export class SynthOptionsError extends SynthError {
  override name = 'SynthOptionsError';
  readonly option: string;

  constructor(option: string, problem: string, hint: string) {
    super(`${option}: ${problem}`, 'usage', hint);
    this.option = option;
  }
}

/** The output directory already exists and is not empty; the generator never overwrites a dataset. */
export class SynthOutputExistsError extends SynthError {
  override name = 'SynthOutputExistsError';
  readonly path: string;

  constructor(path: string) {
    super(
      `${path} already exists and is not empty`,
      'exists',
      'choose a new --out directory, or remove the old dataset first',
    );
    this.path = path;
  }
}
