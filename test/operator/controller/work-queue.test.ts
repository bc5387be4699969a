import { expect } from 'chai';
import { ManualClock, WorkQueue, runWorkers } from '../../../operator/internal.js';

describe('operator/controller: WorkQueue', function () {
  it('collapses a burst of adds for one key into one entry, in first-added order across keys', async function () {
    const queue = new WorkQueue();
    for (const key of ['ns/a', 'ns/b', 'ns/a', 'ns/a', 'ns/b', 'ns/c']) queue.add(key);
    expect(queue.depth).to.equal(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).to.deep.equal(['ns/a', 'ns/b', 'ns/c']);
  });

  it('never hands out a key twice at once; an add during processing is processed after done', async function () {
    const queue = new WorkQueue();
    queue.add('ns/a');
    const first = await queue.get();
    queue.add('ns/a'); // an event arrives while ns/a is reconciled
    queue.add('ns/b');
    expect(await queue.get()).to.equal('ns/b');
    expect(queue.depth).to.equal(0);
    queue.done(first ?? '');
    expect(queue.depth).to.equal(1);
    expect(await queue.get()).to.equal('ns/a');
  });

  it('hands a key straight to a waiting worker', async function () {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('ns/a');
    expect(await waiting).to.equal('ns/a');
    expect(queue.inFlight).to.equal(1);
  });

  it('backs off per key exponentially up to the cap, and forget() resets it', function () {
    const clock = new ManualClock();
    const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 100, clock });
    expect([1, 2, 3, 4, 5].map(() => queue.addRateLimited('ns/a'))).to.deep.equal([10, 20, 40, 80, 100]);
    expect(queue.addRateLimited('ns/b')).to.equal(10);
    queue.forget('ns/a');
    expect(queue.addRateLimited('ns/a')).to.equal(10);
  });

  it('adds a delayed key when its time comes; the sooner of two delays wins', async function () {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('ns/a', 1_000);
    queue.addAfter('ns/a', 300);
    queue.addAfter('ns/a', 5_000);
    expect(clock.timers).to.equal(1);
    clock.advance(299);
    expect(queue.depth).to.equal(0);
    clock.advance(1);
    expect(queue.depth).to.equal(1);
    expect(await queue.get()).to.equal('ns/a');
  });

  it('shutDown releases waiting workers and cancels delayed keys', async function () {
    const clock = new ManualClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('ns/a', 100);
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).to.equal(undefined);
    expect(clock.timers).to.equal(0);
    queue.add('ns/b');
    expect(await queue.get()).to.equal(undefined);
  });

  it('get() resolves undefined when its signal aborts', async function () {
    const queue = new WorkQueue();
    const controller = new AbortController();
    const waiting = queue.get(controller.signal);
    controller.abort();
    expect(await waiting).to.equal(undefined);
    queue.add('ns/a');
    expect(await queue.get()).to.equal('ns/a'); // the aborted waiter did not swallow the key
  });
});

describe('operator/controller: runWorkers', function () {
  it('reconciles distinct keys in parallel but one key never concurrently, and stops on abort', async function () {
    const queue = new WorkQueue();
    const controller = new AbortController();
    const active = new Set<string>();
    let maxParallel = 0;
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done = runWorkers(queue, {
      concurrency: 3,
      signal: controller.signal,
      reconcile: async (key) => {
        expect(active.has(key), `${key} reconciled concurrently`).to.equal(false);
        active.add(key);
        maxParallel = Math.max(maxParallel, active.size);
        runs.push(key);
        await gate;
        active.delete(key);
        return undefined;
      },
    });
    queue.add('ns/a');
    queue.add('ns/b');
    await new Promise((resolve) => setImmediate(resolve));
    queue.add('ns/a'); // while ns/a runs
    release();
    while (runs.length < 3) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await done;
    expect(maxParallel).to.equal(2);
    expect(runs.sort()).to.deep.equal(['ns/a', 'ns/a', 'ns/b']);
  });

  it('requeues a failed key with backoff and reports it; a success forgets the failures', async function () {
    const clock = new ManualClock();
    const queue = new WorkQueue({ baseDelayMs: 50, clock });
    const controller = new AbortController();
    const errors: [string, number][] = [];
    let attempts = 0;
    const done = runWorkers(queue, {
      concurrency: 1,
      signal: controller.signal,
      reconcile: () => {
        attempts += 1;
        return attempts < 3
          ? Promise.reject(new Error('apiserver said 500'))
          : Promise.resolve({ requeueAfterMs: 1_000 });
      },
      onError: (key, _error, retryInMs) => errors.push([key, retryInMs]),
    });
    queue.add('ns/a');
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await settle();
    clock.advance(50);
    await settle();
    clock.advance(100);
    await settle();
    expect(errors).to.deep.equal([
      ['ns/a', 50],
      ['ns/a', 100],
    ]);
    expect(attempts).to.equal(3);
    expect(queue.failuresOf('ns/a')).to.equal(0);
    clock.advance(1_000); // the successful reconcile asked to look again after 1 s
    await settle();
    expect(attempts).to.equal(4);
    controller.abort();
    await done;
  });
});
