import { systemClock, type Clock } from './clock.js';

export interface WorkQueueOptions {
  /** First retry delay after a failure, doubled per consecutive failure of the same key. @default 5 ms */
  baseDelayMs?: number;
  /** Cap on the per-key retry delay. @default 300_000 ms (5 min) */
  maxDelayMs?: number;
  clock?: Clock;
}

/**
 * A keyed, deduplicating, level-triggered work queue (the controller-runtime shape):
 * - a key waiting in the queue is there once, however many events named it (bursts collapse);
 * - a key is handed to at most one worker at a time; if it is added while being processed it is processed
 *   again after `done`, so the latest state is always reconciled and never concurrently;
 * - failures requeue with per-key exponential backoff, reset by `forget`.
 * Keys are `namespace/name`; the queue never holds objects, the handler reads the latest from its cache.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; cancel: () => void }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.clock = options.clock ?? systemClock;
  }

  /** Keys waiting to be handed out (not counting delayed or in-flight ones). */
  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    const waiter = this.waiters.shift();
    if (waiter) this.handOut(key, waiter);
    else this.queue.push(key);
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins (it is sooner). */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.clock.after(delayMs, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, cancel });
  }

  /** Requeues after this key's next backoff delay; returns the delay used. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key reconciled cleanly: its next failure starts from the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Waits for the next key; resolves undefined once the queue is shut down (or `signal` aborts). */
  get(signal?: AbortSignal): Promise<string | undefined> {
    if (this.shuttingDown || signal?.aborted) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.markProcessing(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => {
      const waiter = (next: string | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(next);
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** The worker finished with `key`; if it was added meanwhile, it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      const waiter = this.waiters.shift();
      if (waiter) this.handOut(key, waiter);
      else this.queue.push(key);
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { cancel } of this.delayed.values()) cancel();
    this.delayed.clear();
    this.queue.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private handOut(key: string, waiter: (key: string) => void): void {
    this.markProcessing(key);
    waiter(key);
  }

  private markProcessing(key: string): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }
}
