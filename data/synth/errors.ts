// The synthetic generator's error catalogue, in the data tools' family (../errors.ts). `hint` is the one thing
// to do next; `kind` says what went wrong (usage: the options; exists: the destination).
import { DataError } from '../errors.js';

export type SynthErrorKind = 'usage' | 'exists';

export class SynthError extends DataError {
  override name = 'SynthError';
  declare readonly kind: SynthErrorKind;

  constructor(message: string, kind: SynthErrorKind, hint: string, options?: { cause?: unknown }) {
    super(message, kind, hint, options);
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

/** A cached dataset (its synth.json) was generated from other options than the ones asked for. */
export class SynthDatasetMismatchError extends SynthError {
  override name = 'SynthDatasetMismatchError';
  readonly path: string;
  readonly differences: string[];

  constructor(path: string, differences: string[]) {
    super(
      `${path} holds a synthetic dataset generated with other options (${differences.join(', ')})`,
      'exists',
      'remove that directory to regenerate it, or point data_root at another directory',
    );
    this.path = path;
    this.differences = differences;
  }
}
