// What a user should be told about a failure of the data tools: a stable code, an exit code (kubectl-like:
// 2 usage, 3 not found, 4 invalid data, 1 anything else) and one thing to try. The CLI turns this into its
// error; the worker can log it. Errors not known here return undefined (a bug, reported as such upstream).
import { LvisFormatError, LvisReadError } from '../../common/index.js';

export interface DataErrorAdvice {
  code: 'USAGE' | 'NOT_FOUND' | 'DATA_INVALID' | 'ALREADY_EXISTS' | 'S3_ERROR';
  exit: 1 | 2 | 3 | 4;
  tryThis: string;
}

/** The generator's and the shard tools' errors both carry a `kind` and a `hint`. */
interface KindedError {
  kind: 'usage' | 'not-found' | 'invalid' | 'exists';
  hint: string;
}

const byKind: Record<KindedError['kind'], Pick<DataErrorAdvice, 'code' | 'exit'>> = {
  usage: { code: 'USAGE', exit: 2 },
  'not-found': { code: 'NOT_FOUND', exit: 3 },
  invalid: { code: 'DATA_INVALID', exit: 4 },
  exists: { code: 'ALREADY_EXISTS', exit: 1 },
};

const s3AccessErrors = new Set([
  'CredentialsProviderError',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
]);

function isKinded(error: unknown): error is Error & KindedError {
  return (
    error instanceof Error &&
    'kind' in error &&
    'hint' in error &&
    typeof error.kind === 'string' &&
    error.kind in byKind
  );
}

export function explainDataError(error: unknown): DataErrorAdvice | undefined {
  if (isKinded(error)) return { ...byKind[error.kind], tryThis: error.hint };
  if (error instanceof LvisReadError) {
    return { code: 'NOT_FOUND', exit: 3, tryThis: 'check the --annotations path' };
  }
  if (error instanceof LvisFormatError) return { code: 'DATA_INVALID', exit: 4, tryThis: error.hint };
  const name = (error as { name?: string } | undefined)?.name ?? '';
  if (s3AccessErrors.has(name)) {
    return {
      code: 'S3_ERROR',
      exit: 1,
      tryThis: 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and the bucket policy',
    };
  }
  const code = (error as { code?: string } | undefined)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || name === 'TimeoutError') {
    return {
      code: 'S3_ERROR',
      exit: 1,
      tryThis: 'check --s3-endpoint (or AWS_ENDPOINT_URL_S3) and that the server is up',
    };
  }
  return undefined;
}
