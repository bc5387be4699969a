import { Errors } from '@oclif/core';
import {
  ConfigError,
  ConfigNotFoundError,
  ConfigValidationError,
  LvisFormatError,
  LvisReadError,
} from '../common/index.js';

/** baclctl's exit codes (kubectl-like): scripts branch on these, so they never change meaning. */
export const CliExit = { failure: 1, usage: 2, notFound: 3, validation: 4 } as const;

/** Stable error codes printed as `Code:` and in --json output. */
export type CliErrorCode = 'USAGE' | 'NOT_FOUND' | 'CONFIG_INVALID' | 'INVALID_INPUT' | 'INTERNAL';

export interface CliErrorOptions {
  code: CliErrorCode;
  exit: number;
  /** One line the user can act on, printed as `Try this: ...`. */
  tryThis: string;
  cause?: unknown;
}

/** A user-facing failure: message, stable code, exit code and one "Try this" line. */
export function cliError(message: string, options: CliErrorOptions): Errors.CLIError {
  const error = new Errors.CLIError(message, {
    code: options.code,
    exit: options.exit,
    suggestions: [options.tryThis],
  });
  if (options.cause !== undefined) error.cause = options.cause;
  return error;
}

/**
 * Turns anything a command threw into a CLIError with the right exit code. Known domain errors become user
 * errors; anything else is a bug, reported as such (exit 1) with how to get the stack.
 */
export function toCliError(error: unknown, command: string): Errors.CLIError {
  if (error instanceof Errors.CLIError) return error;
  if (error instanceof ConfigNotFoundError) {
    return cliError(error.message, {
      code: 'NOT_FOUND',
      exit: CliExit.notFound,
      tryThis: error.hint ?? `baclctl ${command} --help`,
    });
  }
  if (error instanceof ConfigValidationError || error instanceof ConfigError) {
    const hint = error instanceof ConfigError ? error.hint : undefined;
    return cliError(error.message, {
      code: 'CONFIG_INVALID',
      exit: CliExit.validation,
      tryThis:
        hint ?? 'fix the fields named above, then check the result with `baclctl config show <config>`',
    });
  }
  if (error instanceof LvisReadError) {
    return cliError(error.message, {
      code: 'NOT_FOUND',
      exit: CliExit.notFound,
      tryThis: `check the path ${error.file}`,
    });
  }
  if (error instanceof LvisFormatError) {
    // The message already ends with what to do; the Try this line repeats it on its own line for scripts.
    return cliError(`${error.file}: ${error.jsonPath}: ${error.problem}`, {
      code: 'INVALID_INPUT',
      exit: CliExit.validation,
      tryThis: error.hint,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return cliError(`unexpected error: ${message}`, {
    code: 'INTERNAL',
    exit: CliExit.failure,
    tryThis: `rerun with DEBUG=* baclctl ${command} ... for the stack, and report it`,
    cause: error,
  });
}
