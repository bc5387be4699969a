import { Errors } from '@oclif/core';
import {
  ConfigError,
  ConfigNotFoundError,
  ConfigValidationError,
  LvisFormatError,
  InvalidBaclJobError,
  LvisReadError,
} from '../common/index.js';
import { apiFailure, unreachableCause, type ApiFailure } from './kube/api-errors.js';

/** baclctl's exit codes (kubectl-like): scripts branch on these, so they never change meaning. */
export const CliExit = { failure: 1, usage: 2, notFound: 3, validation: 4 } as const;

/** Stable error codes printed as `Code:` and in --json output. */
export type CliErrorCode =
  | 'USAGE'
  | 'NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'INVALID_INPUT'
  | 'JOB_INVALID'
  | 'ALREADY_EXISTS'
  | 'FORBIDDEN'
  | 'UNREACHABLE'
  | 'API_ERROR'
  | 'TIMEOUT'
  | 'JOB_FAILED'
  | 'NO_LOGS'
  | 'INTERRUPTED'
  | 'INTERNAL';

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
  if (error instanceof InvalidBaclJobError) {
    return cliError(error.message, {
      code: 'JOB_INVALID',
      exit: CliExit.validation,
      tryThis: 'fix the fields named above (kubectl explain bacljobs.spec documents each one)',
    });
  }
  const failure = apiFailure(error);
  if (failure) return apiCliError(failure, command);
  const unreachable = unreachableCause(error);
  if (unreachable) {
    return cliError(`cannot reach the Kubernetes API server (${unreachable})`, {
      code: 'UNREACHABLE',
      exit: CliExit.failure,
      tryThis: 'check the cluster with `kubectl cluster-info`, or pick another with --context/--kubeconfig',
      cause: error,
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

/** The API server refused a request: its own message, with our exit code and what to try. */
function apiCliError(failure: ApiFailure, command: string): Errors.CLIError {
  const { httpCode, message } = failure;
  if (httpCode === 404 && failure.objectName === undefined) {
    return cliError(`the cluster does not serve BaclJobs (${message})`, {
      code: 'NOT_FOUND',
      exit: CliExit.notFound,
      tryThis:
        'install the CRD: helm install bacl-operator charts/bacl-operator (or kubectl apply -f its crds/)',
    });
  }
  if (httpCode === 404) {
    return cliError(message, {
      code: 'NOT_FOUND',
      exit: CliExit.notFound,
      tryThis: 'baclctl get lists the jobs of the namespace; -n NAMESPACE or -A looks elsewhere',
    });
  }
  if (httpCode === 409) {
    return cliError(message, {
      code: 'ALREADY_EXISTS',
      exit: CliExit.failure,
      tryThis: 'choose another --name, or delete the old job first',
    });
  }
  if (httpCode === 422 || httpCode === 400) {
    return cliError(message, {
      code: 'JOB_INVALID',
      exit: CliExit.validation,
      tryThis: 'fix the fields the server named (kubectl explain bacljobs.spec documents each one)',
    });
  }
  if (httpCode === 401 || httpCode === 403) {
    return cliError(message, {
      code: 'FORBIDDEN',
      exit: CliExit.failure,
      tryThis:
        'kubectl auth can-i --list shows what your credentials may do; ask for a role on bacljobs.bacl.dev',
    });
  }
  return cliError(`the API server answered HTTP ${httpCode}: ${message}`, {
    code: 'API_ERROR',
    exit: CliExit.failure,
    tryThis: `retry; if it persists, rerun with DEBUG=* baclctl ${command} ... and check the server`,
  });
}
