import { expect } from 'chai';
import { closeWithin, connectRetrying, serverUnreachable } from '../../../worker/internal.js';

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

describe('worker/collective/nats-connect: closeWithin', function () {
  /** A connection whose flush resolves when `flushed` is called, or never. */
  function fakeConnection() {
    const calls: string[] = [];
    let closed = false;
    return {
      calls,
      nc: {
        close: () => {
          calls.push('close');
          closed = true;
          return Promise.resolve();
        },
        isClosed: () => closed,
      },
    };
  }

  it('closes after a flush that never ends (a server that is gone), waiting only flushMs', async function () {
    const { nc, calls } = fakeConnection();
    await closeWithin(nc, () => new Promise(() => undefined), 20);
    expect(calls).to.deep.equal(['close']);
  });

  it('closes after the flush when it ends, and after one that fails', async function () {
    const ok = fakeConnection();
    await closeWithin(ok.nc, () => {
      ok.calls.push('flush');
      return Promise.resolve();
    });
    expect(ok.calls).to.deep.equal(['flush', 'close']);
    const failing = fakeConnection();
    await closeWithin(failing.nc, () => Promise.reject(new Error('connection closed')), 20);
    expect(failing.calls).to.deep.equal(['close']);
  });

  it('does not close a connection the flush (a drain) already closed', async function () {
    const { nc, calls } = fakeConnection();
    await closeWithin(nc, () => nc.close());
    expect(calls).to.deep.equal(['close']);
  });
});
