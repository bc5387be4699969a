// The data tools' error family: the synthetic generator (SynthError), the shard tools (ShardError) and the tar
// reader all throw a DataError, so a caller tells a data problem from a bug with one `instanceof`. Each carries
// `hint`, the one thing to do next, and `kind`, what went wrong in words a caller can branch on. data/ knows no
// exit codes: the CLI maps a kind to its exit code and error code (cli/data-errors.ts).

/**
 * What went wrong: `usage`, an option or argument is unusable; `not-found`, an input is missing; `invalid`, an
 * input or a dataset is malformed or damaged; `exists`, the destination already holds data.
 */
export type DataErrorKind = 'usage' | 'not-found' | 'invalid' | 'exists';

export class DataError extends Error {
  override name = 'DataError';
  readonly kind: DataErrorKind;
  readonly hint: string;

  constructor(message: string, kind: DataErrorKind, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.hint = hint;
  }
}
