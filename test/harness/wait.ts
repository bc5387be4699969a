import { setTimeout as sleep } from 'node:timers/promises';

/** How long and how often {@link waitFor} polls. */
export interface WaitForOptions {
  /**
   * Give up after this long. Generous on purpose: tests run on 2 shared cores beside other suites.
   * @default 30_000 ms
   */
  timeoutMs?: number;
  /** @default 100 ms */
  intervalMs?: number;
  /** Called once on time-out; its JSON goes into the error, so a failure shows what was last seen. */
  last?: () => unknown;
}

/**
 * The one polling helper of the test suite: calls `probe` until it returns a value other than `undefined` or
 * `false` and returns that value (so `waitFor('pod running', async () => podIfRunning())` hands the pod back).
 * On time-out it throws naming `what` and, when `last` is given, the last state seen.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const last = options.last ? JSON.stringify(await options.last()) : undefined;
      const seconds = Math.round((options.timeoutMs ?? 30_000) / 1000);
      throw new Error(
        `timed out after ${seconds} s waiting for ${what}${last ? `; last seen: ${last}` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}
