import { expect } from 'chai';
import { connectRetrying, serverUnreachable } from '../../../worker/internal.js';

/** What @nats-io/nats-core throws for a refused connection (its class is not exported; its name is what counts). */
function refused(): Error {
  const error = new Error('connection refused');
  error.name = 'ConnectionError';
  return error;
}

/** A clock that only moves when the retry loop waits. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    wait: (ms: number) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    waits,
  };
}

describe('worker/collective connectRetrying (a NATS server not up yet)', () => {
  it('tries again while the server is unreachable, and returns the connection once it answers', async () => {
    const time = fakeTime();
    const retried: number[] = [];
    let calls = 0;
    const connection = await connectRetrying(
      () => (++calls < 4 ? Promise.reject(refused()) : Promise.resolve('connected')),
      { withinMs: 10_000, retryMs: 500, ...time, onRetry: (_error, tries) => retried.push(tries) },
    );
    expect(connection).to.equal('connected');
    expect(calls).to.equal(4);
    expect(time.waits).to.deep.equal([500, 500, 500]);
    expect(retried).to.deep.equal([1, 2, 3]);
  });

  it('gives up with the last error once withinMs would pass', async () => {
    const time = fakeTime();
    let calls = 0;
    const error = await connectRetrying(
      () => {
        calls += 1;
        return Promise.reject(refused());
      },
      { withinMs: 2000, retryMs: 500, ...time },
    ).catch((e: unknown) => e);
    expect(serverUnreachable(error)).to.equal(true);
    expect(calls).to.equal(5); // at 0, 500, 1000, 1500, 2000 ms
    expect(time.now()).to.equal(2000);
  });

  it('throws any other error at once (retrying an authorization error would not help)', async () => {
    const time = fakeTime();
    const denied = Object.assign(new Error('Authorization Violation'), { name: 'AuthorizationError' });
    const error = await connectRetrying(() => Promise.reject(denied), { withinMs: 60_000, ...time }).catch(
      (e: unknown) => e,
    );
    expect(error).to.equal(denied);
    expect(time.waits).to.deep.equal([]);
  });

  it('stops retrying once its signal aborts', async () => {
    const time = fakeTime();
    const abort = new AbortController();
    let calls = 0;
    const error = await connectRetrying(
      () => {
        calls += 1;
        if (calls === 2) abort.abort();
        return Promise.reject(refused());
      },
      { withinMs: 60_000, ...time, signal: abort.signal },
    ).catch((e: unknown) => e);
    expect(serverUnreachable(error)).to.equal(true);
    expect(calls).to.equal(2);
  });
});
