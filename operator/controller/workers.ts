import type { WorkQueue } from './work-queue.js';

/** What a reconcile asks of the queue when it succeeds: nothing, or another look after a delay. */
export interface ReconcileOutcome {
  /** Level-triggered code still needs time-based wake-ups (deadlines, TTLs, grace periods). */
  requeueAfterMs?: number;
}

export interface WorkerOptions {
  /** Keys reconciled in parallel; one key is never reconciled twice at once. @default 2 */
  concurrency?: number;
  reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileOutcome | undefined>;
  /** Told about each failed reconcile and the backoff delay before the retry. */
  onError?: (key: string, error: unknown, retryInMs: number) => void;
  signal: AbortSignal;
}

/**
 * Runs reconcile workers until `signal` aborts: each takes a key, reconciles it, and on failure requeues it
 * with backoff (never drops it: a job must not get stuck because one API call failed). Resolves once every
 * worker has finished its current key.
 */
export async function runWorkers(queue: WorkQueue, options: WorkerOptions): Promise<void> {
  const { signal } = options;
  const onAbort = () => queue.shutDown();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) queue.shutDown();
  const worker = async () => {
    for (;;) {
      const key = await queue.get(signal);
      if (key === undefined) return;
      try {
        const outcome = await options.reconcile(key, signal);
        queue.forget(key);
        if (outcome?.requeueAfterMs !== undefined) queue.addAfter(key, outcome.requeueAfterMs);
      } catch (error) {
        const retryInMs = queue.addRateLimited(key);
        options.onError?.(key, error, retryInMs);
      } finally {
        queue.done(key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 2 }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
