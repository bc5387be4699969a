// How the data tools' failures reach the user. data/ says what went wrong (a DataError's kind and hint) and
// knows no exit codes; this file alone turns that into baclctl's stable code (and so its exit code). S3 failures
// are recognised by the AWS SDK's error names and Node's socket codes. The LVIS file errors are mapped with
// every other domain error in ./errors.ts.
import type { Errors } from '@oclif/core';
import type { ErrorCode } from '../common/index.js';
import { DataError, S3RequestFailedError, type DataErrorKind } from '../data/index.js';
import { cliError } from './errors.js';

const codeOfKind: Record<DataErrorKind, ErrorCode> = {
  usage: 'USAGE',
  'not-found': 'NOT_FOUND',
  invalid: 'DATA_INVALID',
  exists: 'ALREADY_EXISTS',
};

/** The SDK's names for refused credentials. */
const s3AccessErrors = new Set([
  'CredentialsProviderError',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
]);

/** A data tool's error as a CLI error; undefined for anything else (toCliError maps the rest). */
export function dataCliError(error: unknown): Errors.CLIError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof DataError) {
    return cliError(error.message, { code: codeOfKind[error.kind], tryThis: error.hint });
  }
  if (error instanceof S3RequestFailedError) {
    // The message ends with its own "Try this:" (the worker prints it alone); the CLI prints the hint once.
    return cliError(error.message.replace(/ Try this: .*$/s, ''), { code: 'S3_ERROR', tryThis: error.hint });
  }
  if (s3AccessErrors.has(error.name)) {
    return cliError(error.message, {
      code: 'S3_ERROR',
      tryThis: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and the bucket policy',
    });
  }
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || error.name === 'TimeoutError') {
    return cliError(error.message, {
      code: 'S3_ERROR',
      tryThis: 'check --s3-endpoint (or AWS_ENDPOINT_URL_S3) and that the server is up',
    });
  }
  return undefined;
}
