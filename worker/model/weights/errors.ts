// Typed errors for checkpoints and weight imports, in the model's error family (../errors.ts).
// Callers branch on the class, never on the text.
import { ModelError } from '../errors.js';

/** A blob, manifest or safetensors file is not what its format says (bad header, offsets, dtype, checksum). */
export class WeightsFormatError extends ModelError {
  override readonly name: string = 'WeightsFormatError';
  /** What was being read, e.g. `s3://bucket/run/stage1.json` or `resnet50.safetensors`. */
  readonly source: string;

  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, options);
    this.source = source;
  }
}

/** A tensor whose shape or dtype differs between the file and the model. */
export interface TensorMismatch {
  name: string;
  expected: string;
  actual: string;
}

/**
 * The names in a file and in the model do not line up. Every problem is listed, not just the first, so one
 * run shows the whole mapping to fix.
 */
export class WeightsMismatchError extends ModelError {
  override readonly name: string = 'WeightsMismatchError';
  readonly source: string;
  /** In the model, absent from the file. */
  readonly missing: readonly string[];
  /** In the file, with no place in the model. */
  readonly unexpected: readonly string[];
  /** In both, with a different shape or dtype. */
  readonly mismatched: readonly TensorMismatch[];
  /** What to do, when the caller knows (appended to the message as `Try this: ...`). */
  readonly hint: string | undefined;

  constructor(
    source: string,
    problems: { missing: string[]; unexpected: string[]; mismatched: TensorMismatch[] },
    options?: { cause?: unknown; hint?: string },
  ) {
    const parts = [
      problems.missing.length > 0 ? `missing ${listed(problems.missing)}` : '',
      problems.unexpected.length > 0 ? `unexpected ${listed(problems.unexpected)}` : '',
      problems.mismatched.length > 0
        ? `mis-shaped ${listed(problems.mismatched.map((m) => `${m.name} (file ${m.actual}, model ${m.expected})`))}`
        : '',
    ].filter((part) => part !== '');
    const hint = options?.hint;
    super(
      `${source} does not fit the model: ${parts.join('; ')}${hint === undefined ? '' : `. Try this: ${hint}`}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.source = source;
    this.hint = hint;
    this.missing = problems.missing;
    this.unexpected = problems.unexpected;
    this.mismatched = problems.mismatched;
  }
}

/** Up to 20 names, then a count, so a wholly wrong file does not print hundreds of lines. */
function listed(names: string[]): string {
  const shown = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${names.length} tensors: ${shown}, … (${names.length - 20} more)` : `${shown}`;
}

/** The storage has no object under the name asked for. */
export class WeightsNotFoundError extends ModelError {
  override readonly name: string = 'WeightsNotFoundError';
  /** The object's name in the storage, e.g. `stage1/weights.json`. */
  readonly key: string;

  constructor(key: string, where: string, options?: { cause?: unknown }) {
    super(`no weights object '${key}' in ${where}`, options);
    this.key = key;
  }
}
