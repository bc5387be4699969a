import { ApiException, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { BaclJob } from '../../common/index.js';
import { jobsPath, type JobsApi } from './jobs-api.js';

// A level view of BaclJobs as an async iterable: list, then watch from the list's resourceVersion; when the
// server says the version is too old (410 Gone) list again, and when it closes the watch (its timeout) go on
// from the last version seen. Events already seen (same object, same resourceVersion) are not repeated.
//
// client-node's Watch aborts a request that received nothing for 30 s (an inactivity timeout), and a job
// that makes no progress can be quiet far longer. So each watch asks the server to end it first
// (`timeoutSeconds`, 25 s by default) and is then simply renewed; the client's timeout, should it still fire,
// is treated the same way, never as a failure.

export type JobEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface JobEvent {
  type: JobEventType;
  job: BaclJob;
}

/** Yielded after each full list: the jobs before it are everything that existed then. */
export interface SyncedEvent {
  type: 'SYNCED';
}

export interface FollowOptions {
  /** One namespace, or all with undefined. */
  namespace: string | undefined;
  /** Only this job (a field selector), else every job of the namespace. */
  name?: string;
  /** Ends the iteration (Ctrl-C, a timeout); the iterator then returns without an error. */
  signal: AbortSignal;
  /** How long the server keeps one watch request open. @default 25 (below client-node's 30 s inactivity limit) */
  watchSeconds?: number;
  /** Called each time a watch request ended and is renewed (tests see the renewal happen). */
  onRenew?: () => void;
}

export async function* followJobs(
  kubeConfig: KubeConfig,
  api: JobsApi,
  options: FollowOptions,
): AsyncGenerator<JobEvent | SyncedEvent> {
  const seen = new Map<string, string>();
  const fresh = (event: JobEvent) => {
    const key = `${event.job.metadata.namespace ?? ''}/${event.job.metadata.name}`;
    const version = event.job.metadata.resourceVersion ?? '';
    if (event.type !== 'DELETED' && seen.get(key) === version) return false;
    seen.set(key, version);
    return true;
  };
  let resourceVersion: string | undefined;
  while (!options.signal.aborted) {
    if (resourceVersion === undefined) {
      const list = await api.list(options.namespace);
      for (const job of list.items) {
        const event: JobEvent = { type: 'ADDED', job };
        if ((options.name === undefined || job.metadata.name === options.name) && fresh(event)) yield event;
      }
      resourceVersion = list.metadata.resourceVersion ?? '';
      yield { type: 'SYNCED' };
    }
    const outcome = yield* watchOnce(kubeConfig, options, resourceVersion, fresh);
    if (outcome.gone) resourceVersion = undefined;
    else resourceVersion = outcome.resourceVersion;
    if (!options.signal.aborted) options.onRenew?.();
  }
}

interface WatchOutcome {
  /** The server no longer has the version we asked for: list again. */
  gone: boolean;
  resourceVersion: string;
}

/** One watch request, until the server closes it, it fails, or the signal aborts it. */
async function* watchOnce(
  kubeConfig: KubeConfig,
  options: FollowOptions,
  resourceVersion: string,
  fresh: (event: JobEvent) => boolean,
): AsyncGenerator<JobEvent, WatchOutcome> {
  const queue: (JobEvent | { end: true; error?: unknown; gone?: boolean })[] = [];
  let wake: (() => void) | undefined;
  const push = (item: (typeof queue)[number]) => {
    queue.push(item);
    wake?.();
  };
  let lastVersion = resourceVersion;
  const controller = await new Watch(kubeConfig).watch(
    jobsPath(options.namespace),
    {
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: options.watchSeconds ?? 25,
      ...(options.name ? { fieldSelector: `metadata.name=${options.name}` } : {}),
    },
    (phase, object: BaclJob & { code?: number }) => {
      // An ERROR event carries a metav1.Status: made an ApiException so toCliError words it like any answer.
      if (phase === 'ERROR') push({ end: true, gone: object.code === 410, error: statusError(object) });
      else if (phase === 'BOOKMARK') lastVersion = object.metadata.resourceVersion ?? lastVersion;
      else push({ type: phase as JobEventType, job: object });
    },
    (error: unknown) =>
      push({ end: true, error: isInactivity(error) ? undefined : (error ?? undefined), gone: isGone(error) }),
  );
  const abort = () => controller.abort();
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      const item = queue.shift();
      if (item === undefined) {
        if (options.signal.aborted) return { gone: false, resourceVersion: lastVersion };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if ('end' in item) {
        if (item.gone) return { gone: true, resourceVersion: lastVersion };
        if (item.error !== undefined && !options.signal.aborted) {
          throw item.error instanceof Error
            ? item.error
            : new Error(`the watch failed: ${JSON.stringify(item.error)}`);
        }
        return { gone: false, resourceVersion: lastVersion };
      }
      lastVersion = item.job.metadata.resourceVersion ?? lastVersion;
      if (fresh(item)) yield item;
    }
  } finally {
    options.signal.removeEventListener('abort', abort);
    controller.abort();
  }
}

function statusError(status: unknown): ApiException<string> {
  const code = (status as { code?: number }).code ?? 500;
  return new ApiException(code, 'the watch failed', JSON.stringify(status), {});
}

/** client-node's inactivity timeout: the watch was quiet, not broken. */
function isInactivity(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

function isGone(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 410;
}
