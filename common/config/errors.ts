/** Where a config value came from: a place in a YAML file, or a `--set` override. */
export interface ConfigOrigin {
  file: string;
  line: number;
  column: number;
}

export function formatOrigin(origin: ConfigOrigin | undefined): string {
  if (!origin) return '(unknown place)';
  return origin.line > 0 ? `${origin.file}:${origin.line}:${origin.column}` : origin.file;
}

/** A config that cannot be resolved or validated; `origin` and `field` say where, `hint` what to do. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly problem: string,
    readonly details: { origin?: ConfigOrigin; field?: string; hint?: string },
    options?: { cause?: unknown },
  ) {
    const where = details.origin ? `${formatOrigin(details.origin)} ` : '';
    const field = details.field ? `${details.field}: ` : '';
    super(`${where}${field}${problem}`, options);
  }

  get origin(): ConfigOrigin | undefined {
    return this.details.origin;
  }

  get field(): string | undefined {
    return this.details.field;
  }

  get hint(): string | undefined {
    return this.details.hint;
  }
}

/** A config that resolved but breaks the schema: one entry per problem, each with its place. */
export class ConfigValidationError extends Error {
  override name = 'ConfigValidationError';
  constructor(readonly problems: ConfigError[]) {
    super(
      `the config has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((problem) => `  ${problem.message}`).join('\n'),
    );
  }
}

/** The named config (or the entry file) does not exist; the CLI answers it with its not-found exit code. */
export class ConfigNotFoundError extends ConfigError {
  override name = 'ConfigNotFoundError';
}
