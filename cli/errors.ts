import { Errors } from '@oclif/core';
import {
  ConfigError,
  ConfigNotFoundError,
  ConfigValidationError,
  errorCodes,
  LvisFormatError,
  InvalidBaclJobError,
  LvisReadError,
  type ErrorCode,
} from '../common/index.js';
import { apiFailure, unreachableCause, type ApiFailure } from './kube/api-errors.js';

export interface CliErrorOptions {
  /** A stable code from common/exit-codes.ts; it fixes the exit status. */
  code: ErrorCode;
  /** One line the user can act on, printed as `Try this: ...`. */
  tryThis: string;
  cause?: unknown;
}

/** A user-facing failure: message, stable code, its exit code (errorCodes) and one "Try this" line. */
export function cliError(message: string, options: CliErrorOptions): Errors.CLIError {
  const error = new Errors.CLIError(message, {
    code: options.code,
    exit: errorCodes[options.code].exit,
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
      tryThis: error.hint ?? `baclctl ${command} --help`,
    });
  }
  if (error instanceof ConfigValidationError || error instanceof ConfigError) {
    const hint = error instanceof ConfigError ? error.hint : undefined;
    return cliError(error.message, {
      code: 'CONFIG_INVALID',
      tryThis:
        hint ?? 'fix the fields named above, then check the result with `baclctl config show <config>`',
    });
  }
  if (error instanceof LvisReadError) {
    return cliError(error.message, {
      code: 'NOT_FOUND',
      tryThis: `check the path ${error.file}`,
    });
  }
  if (error instanceof LvisFormatError) {
    // The message already ends with what to do; the Try this line repeats it on its own line for scripts.
    return cliError(`${error.file}: ${error.jsonPath}: ${error.problem}`, {
      code: 'DATA_INVALID',
      tryThis: error.hint,
    });
  }
  if (error instanceof InvalidBaclJobError) {
    return cliError(error.message, {
      code: 'JOB_INVALID',
      tryThis: 'fix the fields named above (kubectl explain bacljobs.spec documents each one)',
    });
  }
  const failure = apiFailure(error);
  if (failure) return apiCliError(failure, command);
  const unreachable = unreachableCause(error);
  if (unreachable) {
    return cliError(`cannot reach the Kubernetes API server (${unreachable})`, {
      code: 'UNREACHABLE',
      tryThis: 'check the cluster with `kubectl cluster-info`, or pick another with --context/--kubeconfig',
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return cliError(`unexpected error: ${message}`, {
    code: 'INTERNAL',
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
      tryThis:
        'install the CRD: helm install bacl-operator charts/bacl-operator (or kubectl apply -f its crds/)',
    });
  }
  if (httpCode === 404) {
    return cliError(message, {
      code: 'NOT_FOUND',
      tryThis: 'baclctl get lists the jobs of the namespace; -n NAMESPACE or -A looks elsewhere',
    });
  }
  if (httpCode === 409) {
    return cliError(message, {
      code: 'ALREADY_EXISTS',
      tryThis: 'choose another --name, or delete the old job first',
    });
  }
  if (httpCode === 422 || httpCode === 400) {
    return cliError(message, {
      code: 'JOB_INVALID',
      tryThis: 'fix the fields the server named (kubectl explain bacljobs.spec documents each one)',
    });
  }
  if (httpCode === 401 || httpCode === 403) {
    return cliError(message, {
      code: 'FORBIDDEN',
      tryThis:
        'kubectl auth can-i --list shows what your credentials may do; ask for a role on bacljobs.bacl.dev',
    });
  }
  return cliError(`the API server answered HTTP ${httpCode}: ${message}`, {
    code: 'API_ERROR',
    tryThis: `retry; if it persists, rerun with DEBUG=* baclctl ${command} ... and check the server`,
  });
}
