// Connecting to a NATS server that may not be up yet. A restarted or rescheduled nats-server takes seconds to come
// back, and the group the operator starts after the old one failed on the dropped connection often starts before
// it is: without a retry each such rank fails at once, and every failure is a group restart counted against
// backoffLimit, so a short NATS outage could fail the job. A server that refuses or cannot be reached
// (ConnectionError) is tried again every `retryMs` until `withinMs` has passed or `signal` aborts; any other
// error (authorization, a bad URL) is thrown at once, since trying again would not change it. Once connected, a
// dropped connection is the collective's business (nats-collective.ts: it fails the group).
import { setTimeout as sleep } from 'node:timers/promises';

export interface ConnectRetryOptions {
  /** Give up this long after the first try (the last error is thrown). */
  withinMs: number;
  /** Pause between tries. @default 500 ms: a restarted server is back in about a second */
  retryMs?: number;
  signal?: AbortSignal;
  /** Told about each failed try that will be retried, e.g. for a log line. */
  onRetry?: (error: Error, tries: number) => void;
  /** Clock in ms. @default Date.now */
  now?: () => number;
  /** @default node:timers/promises setTimeout */
  wait?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
}

/** Whether a connect() failure means the server is not there (yet), as @nats-io/nats-core names it. */
export function serverUnreachable(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ConnectionError';
}

/** A NATS URL (or several, comma-separated) as logged: without a `user:password@` part (credentials never reach a log). */
export function shownNatsUrl(natsUrl: string): string {
  return natsUrl.replace(/\/\/[^/@]*@/g, '//');
}

/** The one line a rank logs when the server is not there: on the first failed try only. */
export function unreachableLine(servers: string | string[], error: Error, withinMs: number): string {
  return (
    `NATS ${shownNatsUrl([servers].flat().join(','))} is not reachable (${error.message}); trying again for up to ` +
    `${Math.round(withinMs / 1000)} s`
  );
}

/** Calls `connect` until it resolves, retrying only while the server is unreachable and time is left. */
export async function connectRetrying<T>(
  connect: () => Promise<T>,
  options: ConnectRetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.wait ?? ((ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }));
  const retryMs = options.retryMs ?? 500;
  const deadline = now() + options.withinMs;
  for (let tries = 1; ; tries += 1) {
    try {
      return await connect();
    } catch (error) {
      if (!serverUnreachable(error) || options.signal?.aborted || now() + retryMs > deadline) throw error;
      options.onRetry?.(error, tries);
    }
    await wait(retryMs, options.signal);
  }
}

export const timedOut = Symbol('timed out');

/** `promise`'s value, or `timedOut` after `ms`; the timer never outlives the race. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof timedOut> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof timedOut>((resolve) => (timer = setTimeout(() => resolve(timedOut), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How long closing a connection may wait for the server to take what is still queued (flush, drain).
 * @default 3000 ms: a live server answers in milliseconds; one that is gone (restarting) would hold a rank that
 * already failed, and so its pod's exit and the group's restart, until the client reconnects or gives up
 */
export const CLOSE_FLUSH_MS = 3000;

/**
 * Sends what is queued (`flush`: a flush or a drain) for at most `flushMs`, then closes `nc` whatever happened:
 * closing a connection never waits for a server that is not there.
 */
export async function closeWithin(
  nc: { close(): Promise<void>; isClosed(): boolean },
  flush: () => Promise<unknown>,
  flushMs = CLOSE_FLUSH_MS,
): Promise<void> {
  await within(
    flush().catch(() => undefined),
    flushMs,
  );
  if (!nc.isClosed()) await nc.close().catch(() => undefined);
}
