// The one S3 retry policy (data/shards/s3-retry.ts) without a server: the delays' bounds, what is retried and
// what is not, the attempt deadline, the caller's abort, and the error that names the object and the attempts.
// The same policy against the real S3 server through a fault proxy: test/worker/checkpoint/s3-faults.test.ts.
import { expect } from 'chai';
import {
  defaultS3RetryPolicy,
  describeRetry,
  isRetryableS3Error,
  resolveS3RetryPolicy,
  retryDelayMs,
  retryS3,
  S3RequestFailedError,
  type S3RetryNotice,
} from '../../../data/internal.js';

const request = { action: 'PUT', bucket: 'b', key: 'runs/x/checkpoints/stage1/ckpt-4/shared/weights.bin' };
const fast = resolveS3RetryPolicy({ attempts: 4, baseDelayMs: 1, maxDelayMs: 4, attemptTimeoutMs: 200 });

/** An SDK-shaped service error with an HTTP status. */
function answered(status: number, name = 'InternalError'): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('data/shards/s3-retry: bounded retries with backoff and jitter', function () {
  it('doubles the delay step up to maxDelayMs, with half of each step jittered', function () {
    const policy = defaultS3RetryPolicy;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(policy, n, 0))).to.deep.equal([
      125, 250, 500, 1000, 2000, 4000, 7500, 7500,
    ]);
    expect([1, 2, 7].map((n) => retryDelayMs(policy, n, 0.999_999))).to.deep.equal([250, 500, 15_000]);
    // The whole wait a request can take before giving up, bounded on both sides.
    const total = (u: number) =>
      Array.from({ length: policy.attempts - 1 }, (_, i) => retryDelayMs(policy, i + 1, u)).reduce(
        (a, b) => a + b,
      );
    expect(total(0)).to.equal(15_375);
    expect(total(0.999_999)).to.equal(30_750);
  });

  it('refuses a policy that cannot work, naming the field', function () {
    expect(() => resolveS3RetryPolicy({ attempts: 0 })).to.throw(
      RangeError,
      /attempts is 0; use a whole number >= 1/,
    );
    expect(() => resolveS3RetryPolicy({ baseDelayMs: -1 })).to.throw(RangeError, /baseDelayMs/);
    expect(() => resolveS3RetryPolicy({ attemptTimeoutMs: 1.5 })).to.throw(RangeError, /attemptTimeoutMs/);
    expect(resolveS3RetryPolicy({ attempts: 3 })).to.deep.equal({ ...defaultS3RetryPolicy, attempts: 3 });
  });

  it('retries 5xx, 429, throttling, timeouts and broken connections; not 4xx answers or other errors', function () {
    const table: [unknown, boolean][] = [
      [answered(500), true],
      [answered(503, 'ServiceUnavailable'), true],
      [answered(429, 'TooManyRequests'), true],
      [answered(404, 'NoSuchKey'), false],
      [answered(403, 'AccessDenied'), false],
      [answered(400, 'InvalidRequest'), false],
      [Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), true],
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
      [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
      [new Error('aborted'), true],
      [new TypeError('x is not a function'), false],
      ['a string', false],
    ];
    for (const [error, retryable] of table) {
      expect(isRetryableS3Error(error), String((error as Error).message ?? error)).to.equal(retryable);
    }
  });

  it('rides out failures within the attempts and tells about each retry', async function () {
    const notices: S3RetryNotice[] = [];
    let calls = 0;
    const value = await retryS3(
      request,
      () => {
        calls++;
        return calls < 3 ? Promise.reject(answered(503, 'ServiceUnavailable')) : Promise.resolve('ok');
      },
      { policy: fast, onRetry: (notice) => notices.push(notice), random: () => 0 },
    );
    expect(value).to.equal('ok');
    expect(calls).to.equal(3);
    expect(notices.map((n) => [n.attempt, n.delayMs])).to.deep.equal([
      [1, 1],
      [2, 1],
    ]);
    expect(describeRetry(notices[0]!)).to.equal(
      `S3 PUT s3://b/${request.key}: attempt 1 of 4 failed (HTTP 503 (ServiceUnavailable: ServiceUnavailable)); retrying in 0.00 s`,
    );
  });

  it('gives up after the last attempt with an error naming the object, the attempts and what to do', async function () {
    let calls = 0;
    const error = await retryS3(
      request,
      () => {
        calls++;
        return Promise.reject(answered(500));
      },
      { policy: fast },
    ).catch((e: unknown) => e);
    expect(calls).to.equal(4);
    expect(error).to.be.instanceOf(S3RequestFailedError);
    const failed = error as S3RequestFailedError;
    expect(failed.attempts).to.equal(4);
    expect(failed.request).to.deep.equal(request);
    expect(failed.message).to.match(
      /^PUT s3:\/\/b\/runs\/x\/checkpoints\/stage1\/ckpt-4\/shared\/weights\.bin failed 4 time\(s\) over \d+\.\d s, the last time with: HTTP 500 \(InternalError: InternalError\)\. Try this: check that the S3 endpoint is up/,
    );
    expect((failed.cause as Error).name).to.equal('InternalError');
  });

  it('passes a non-retryable error through at once, unchanged', async function () {
    let calls = 0;
    const missing = answered(404, 'NoSuchKey');
    const error = await retryS3(
      request,
      () => {
        calls++;
        return Promise.reject(missing);
      },
      { policy: fast },
    ).catch((e: unknown) => e);
    expect(error).to.equal(missing);
    expect(calls).to.equal(1);
  });

  it('cuts an attempt that stalls at its deadline and retries it, even if the attempt ignores its signal', async function () {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const value = await retryS3(
      request,
      (signal) => {
        signals.push(signal);
        calls++;
        return calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('answered');
      },
      { policy: { ...fast, attemptTimeoutMs: 50 } },
    );
    expect(value).to.equal('answered');
    expect(calls).to.equal(2);
    expect(signals[0]?.aborted).to.equal(true);
    const error = await retryS3(request, () => new Promise<string>(() => undefined), {
      policy: { ...fast, attempts: 2, attemptTimeoutMs: 30 },
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(S3RequestFailedError);
    expect((error as Error).message).to.contain('no answer within attemptTimeoutMs 30 ms');
  });

  it("stops at the caller's abort with its reason, also while waiting to retry", async function () {
    const controller = new AbortController();
    const stop = new Error('stop');
    const pending = retryS3(
      request,
      () => {
        setTimeout(() => controller.abort(stop), 5);
        return Promise.reject(answered(500));
      },
      { policy: { ...fast, baseDelayMs: 60_000, maxDelayMs: 60_000 }, signal: controller.signal },
    ).catch((e: unknown) => e);
    expect(await pending).to.equal(stop);
  });
});
