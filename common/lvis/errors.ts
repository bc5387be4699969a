// The LVIS formats' error catalogue. Callers branch on the class; every error names the file (or "<memory>"),
// the JSON path of the offending value and what to do about it, and keeps the underlying error as `cause`.

/** Where a problem is: the file and a JSON path such as `annotations[12].bbox` (`$` for the top level). */
export interface LvisLocation {
  file: string;
  jsonPath: string;
}

/** Base class: a value in an LVIS ground-truth or results file is not what the format says. */
export class LvisFormatError extends Error {
  override name = 'LvisFormatError';
  readonly file: string;
  readonly jsonPath: string;
  readonly problem: string;
  readonly hint: string;

  constructor(location: LvisLocation, problem: string, hint: string, options?: { cause?: unknown }) {
    super(`${location.file}: ${location.jsonPath}: ${problem}. ${hint}`, options);
    this.file = location.file;
    this.jsonPath = location.jsonPath;
    this.problem = problem;
    this.hint = hint;
  }
}

/** The file is not JSON (truncated, a syntax error); `byteOffset` is where the reader stopped. */
export class LvisJsonSyntaxError extends LvisFormatError {
  override name = 'LvisJsonSyntaxError';
  readonly byteOffset: number;

  constructor(location: LvisLocation, problem: string, byteOffset: number, options?: { cause?: unknown }) {
    super(
      location,
      `${problem} (at byte ${byteOffset})`,
      'Check that the file was written completely (a truncated download or an interrupted writer looks like this).',
      options,
    );
    this.byteOffset = byteOffset;
  }
}

/** Ids that must be unique or must refer to something (an annotation's image, a detection's category). */
export class LvisReferenceError extends LvisFormatError {
  override name = 'LvisReferenceError';
}

/** The file could not be read at all (missing, unreadable); `cause` is the system error. */
export class LvisReadError extends Error {
  override name = 'LvisReadError';
  readonly file: string;

  constructor(file: string, options: { cause: unknown }) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`${file}: cannot read the file (${reason}). Check the path and its permissions.`, options);
    this.file = file;
  }
}

/** `annotations[12].bbox` from a path of keys and indices. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '$' : text;
}
