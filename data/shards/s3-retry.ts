// Bounded retries for S3 requests: the one policy every S3 read and write of bacl goes through (checkpoints,
// shards, TensorBoard and eval outputs), so a server that answers 500/503 or stalls for a while costs time, not
// the job. The SDK's own retries are switched off (resolveS3ClientConfig sets maxAttempts 1): one layer of
// retries, whose attempts and delays are these and whose final error names the object.
//
//   delay before attempt n+1 = min(maxDelayMs, baseDelayMs * 2^(n-1)) * (1/2 + u/2),  u ~ U[0, 1)
//
// ("equal jitter": half the exponential step is fixed, so the ranks of a group spread out while the total
// wait stays bounded below as well as above). Each attempt has its own deadline (attemptTimeoutMs), so a
// request that stalls is cut and retried instead of hanging the rank. Retried: HTTP 5xx and 429, the SDK's
// throttling and timeout errors, refused/reset connections and the attempt deadline. Not retried: 4xx answers
// (a missing key, refused credentials: asking again gives the same answer) and the caller's own abort.
// docs/adr/0035-fault-handling.md.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Upload } from '@aws-sdk/lib-storage';

export interface S3RetryPolicy {
  /**
   * Attempts per request, the first included.
   * @default 8: with the delays below the last attempt starts 16 to 31 s after the first, so a restart of
   * the S3 server or a burst of 503s is ridden out, while a dead endpoint still fails the rank in about a minute
   */
  attempts: number;
  /** The first retry's delay step (ms), doubled per attempt. @default 250: a 503 burst often clears this fast */
  baseDelayMs: number;
  /** The largest delay step (ms). @default 15_000: never idle longer than a checkpoint interval takes to write */
  maxDelayMs: number;
  /**
   * One attempt's deadline (ms), from sending the request to the last byte of the answer.
   * @default 120_000: a 100 MiB weights blob at 1 MiB/s, the slowest link a training job is worth running on
   */
  attemptTimeoutMs: number;
}

export const defaultS3RetryPolicy: Readonly<S3RetryPolicy> = Object.freeze({
  attempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  attemptTimeoutMs: 120_000,
});

/** The policy with `overrides` applied; RangeError naming the field for a value that cannot work. */
export function resolveS3RetryPolicy(overrides: Partial<S3RetryPolicy> = {}): S3RetryPolicy {
  const policy = { ...defaultS3RetryPolicy, ...overrides };
  for (const field of ['attempts', 'baseDelayMs', 'maxDelayMs', 'attemptTimeoutMs'] as const) {
    const value = policy[field];
    const least = field === 'attempts' || field === 'attemptTimeoutMs' ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new RangeError(`S3 retry policy: ${field} is ${value}; use a whole number >= ${least}`);
    }
  }
  return policy;
}

/** The delay (ms) before attempt `attempt + 1`, after `attempt` failed (attempt >= 1); `u` in [0, 1). */
export function retryDelayMs(policy: S3RetryPolicy, attempt: number, u: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step * (0.5 + 0.5 * u));
}

const retryableNames = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestAbortedError',
]);
const retryableCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Whether asking again may give another answer: a 5xx or 429, throttling, a timeout, a broken connection. */
export function isRetryableS3Error(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  if (retryableNames.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && retryableCodes.has(code)) return true;
  // A body stream cut mid-answer (the server or our deadline closed the socket).
  return error.message === 'aborted' || error.message === 'socket hang up';
}

/** What a request is, for messages: `GET s3://bucket/key`. */
export interface S3Request {
  /** GET, PUT, HEAD, LIST, DELETE. */
  action: string;
  bucket: string;
  /** The key, or the prefix a LIST reads. */
  key: string;
}

const s3DownHint =
  'check that the S3 endpoint is up and answering (AWS_ENDPOINT_URL_S3, --s3-endpoint); a job resumes from its last checkpoint once it is';

/** Every attempt of an S3 request failed with a retryable error (or the last one's deadline passed). */
export class S3RequestFailedError extends Error {
  override readonly name = 'S3RequestFailedError';
  readonly hint = s3DownHint;

  constructor(
    readonly request: S3Request,
    readonly attempts: number,
    readonly elapsedMs: number,
    options: { cause: unknown },
  ) {
    super(
      `${request.action} s3://${request.bucket}/${request.key} failed ${attempts} time(s) over ${(elapsedMs / 1000).toFixed(1)} s, ` +
        `the last time with: ${describeCause(options.cause)}. Try this: ${s3DownHint}`,
      options,
    );
  }
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const text = error.message === '' || error.message === 'UnknownError' ? error.name : error.message;
  return status === undefined ? `${error.name}: ${text}` : `HTTP ${status} (${error.name}: ${text})`;
}

/** One retry about to happen, for logs: the request, the attempt that failed, the wait and why. */
export interface S3RetryNotice {
  request: S3Request;
  attempt: number;
  attempts: number;
  delayMs: number;
  error: unknown;
}

export interface S3RetryOptions {
  policy?: S3RetryPolicy;
  /** The caller's cancellation: stops at once, with the signal's reason, between or during attempts. */
  signal?: AbortSignal;
  /** Told before each retry (the worker logs it). */
  onRetry?: (notice: S3RetryNotice) => void;
  /** @default Math.random: the jitter's source; injectable so a test can pin the delays */
  random?: () => number;
}

/**
 * What a store applies to every request it sends (the worker's one policy and its retry log line); each call's
 * own signal is added per request.
 */
export type S3RetrySettings = Pick<S3RetryOptions, 'policy' | 'onRetry'>;

/** `settings` with the call's `signal`, as retryS3 takes them. */
export function retryOptions(settings: S3RetrySettings, signal?: AbortSignal): S3RetryOptions {
  return signal === undefined ? settings : { ...settings, signal };
}

/** A one-line description of a retry, as the worker logs it. */
export function describeRetry(notice: S3RetryNotice): string {
  const { request, attempt, attempts, delayMs, error } = notice;
  return (
    `S3 ${request.action} s3://${request.bucket}/${request.key}: attempt ${attempt} of ${attempts} failed ` +
    `(${describeCause(error)}); retrying in ${(delayMs / 1000).toFixed(2)} s`
  );
}

/**
 * Runs `attempt(signal)` until it succeeds, fails with an error that is not retryable (rethrown as is), or the
 * policy's attempts are used up (S3RequestFailedError naming the request, the attempts and the last error).
 * `signal` given to each attempt aborts at the caller's abort or at the attempt's deadline; the attempt must
 * hand it to every request it sends and read the whole answer under it.
 */
export async function retryS3<T>(
  request: S3Request,
  attempt: (signal: AbortSignal) => Promise<T>,
  options: S3RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? defaultS3RetryPolicy;
  const { signal } = options;
  const random = options.random ?? Math.random;
  const started = performance.now();
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    const deadline = AbortSignal.timeout(policy.attemptTimeoutMs);
    const attemptSignal = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    let error: unknown;
    try {
      return await untilAborted(attempt(attemptSignal), attemptSignal);
    } catch (caught) {
      error = caught;
    }
    signal?.throwIfAborted();
    const timedOut = deadline.aborted;
    if (!timedOut && !isRetryableS3Error(error)) throw error;
    const cause = timedOut
      ? Object.assign(new Error(`no answer within attemptTimeoutMs ${policy.attemptTimeoutMs} ms`), {
          name: 'TimeoutError',
          cause: error,
        })
      : error;
    if (n >= policy.attempts) {
      throw new S3RequestFailedError(request, n, performance.now() - started, { cause });
    }
    const delayMs = retryDelayMs(policy, n, random());
    options.onRetry?.({ request, attempt: n, attempts: policy.attempts, delayMs, error: cause });
    await sleep(delayMs, undefined, signal === undefined ? {} : { signal }).catch(() => {
      signal?.throwIfAborted();
    });
  }
}

/** `work`, or a rejection as soon as `signal` aborts (an SDK call that ignores the signal cannot hang us). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
        reject(error);
      },
    );
  });
}

/** Runs one attempt's multipart upload to its end, aborting it when the attempt's signal fires (its deadline). */
export async function uploadWithin(request: Upload, attempt: AbortSignal): Promise<void> {
  const onAbort = () => void request.abort();
  attempt.addEventListener('abort', onAbort, { once: true });
  try {
    await request.done();
  } finally {
    attempt.removeEventListener('abort', onAbort);
  }
}
