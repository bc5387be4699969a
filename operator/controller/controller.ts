import type { KubeConfig } from '@kubernetes/client-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { WorkerDefaults } from '../reconcile/worker-defaults.js';
import type { Logger } from '../telemetry/logger.js';
import type { OperatorMetrics } from '../telemetry/operator-metrics.js';
import { systemClock, type Clock } from './clock.js';
import { describe } from './errors.js';
import { KubeEventRecorder } from './events.js';
import { startInformers } from './informers.js';
import { KubeApi } from './kube-api.js';
import { RankReports } from './rank-reports.js';
import { Reconciler } from './reconciler.js';
import { WorkQueue } from './work-queue.js';
import { runWorkers } from './workers.js';

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Reconcile BaclJobs of one namespace; all namespaces when undefined. */
  namespace?: string;
  logger: Logger;
  metrics?: OperatorMetrics;
  /** Stops the controller: watches end, workers finish their current key, NATS connections close. */
  signal: AbortSignal;
  /** Jobs reconciled in parallel. @default 4 */
  concurrency?: number;
  /** See DecideOptions.terminatingGraceSeconds. @default 300 (seconds) */
  terminatingGraceSeconds?: number;
  /** See DecideOptions.purgeTimeoutSeconds. @default 600 (seconds) */
  purgeTimeoutSeconds?: number;
  /** At most one progress-driven reconcile (and status write) per job per this interval. @default 5000 ms */
  progressIntervalMs?: number;
  /**
   * Replaces the worker container's command. Default: none, the image's entrypoint runs (the production
   * image's is the bacl-worker launcher). For images without an entrypoint, and for the test pod runner,
   * which runs commands as local processes.
   */
  workerCommand?: string[];
  /** Filled into jobs that leave image, NATS or S3 settings out. @default {} (none: such jobs are skipped) */
  workerDefaults?: WorkerDefaults;
  /**
   * Names this instance in Events (reportingInstance). The process passes its identity (`<hostname>_<id>`, read
   * once in operator/process/run.ts); the controller itself reads no environment. @default 'bacl-operator'
   */
  instance?: string;
  clock?: Clock;
  /** Told about every reconcile and how long it took (benchmarks, tracing); errors also go to the log. */
  onReconciled?: (key: string, ms: number, error?: unknown) => void;
  connectNats?: (url: string) => Promise<NatsConnection>;
}

/**
 * Runs the BaclJob controller until `signal` aborts: informers fill the caches and feed job keys to the work
 * queue, workers reconcile them. Resolves once every worker has finished its current key.
 */
export async function runController(options: ControllerOptions): Promise<void> {
  const { signal, logger } = options;
  // Settings resolved once, at start-up.
  const clock = options.clock ?? systemClock;
  const instance = options.instance ?? 'bacl-operator';
  const queue = new WorkQueue({ clock });
  const api = new KubeApi(options.kubeConfig);
  const progressInterval = options.progressIntervalMs ?? 5000;
  const reports = new RankReports({
    logger,
    // addAfter keeps an earlier pending delay: a burst of reports costs one reconcile per interval.
    onReport: (key) => queue.addAfter(key, progressInterval),
    connectTo: options.connectNats,
  });
  // The informers deliver job events from their first list on; the reconciler exists only once they synced.
  const late: { reconciler?: Reconciler } = {};
  let caches;
  try {
    caches = await startInformers(options.kubeConfig, {
      namespace: options.namespace,
      onKey: (key) => queue.add(key),
      onJob: (job) => late.reconciler?.observeJob(job),
      logger,
      signal,
    });
  } catch (error) {
    await reports.close();
    if (signal.aborted) return; // stopped before the caches synced: a clean stop, nothing was reconciled
    throw error;
  }
  const reconciler = new Reconciler({
    api,
    caches,
    reports,
    events: new KubeEventRecorder(api, logger, instance),
    logger,
    clock,
    terminatingGraceSeconds: options.terminatingGraceSeconds,
    purgeTimeoutSeconds: options.purgeTimeoutSeconds,
    workerCommand: options.workerCommand,
    workerDefaults: options.workerDefaults ?? {},
  });
  options.metrics?.attach({
    queueDepth: () => queue.depth,
    inFlight: () => queue.inFlight,
    jobStates: () =>
      caches.jobs.list().map((job) => (job.status as { state?: string } | undefined)?.state ?? 'Pending'),
    progressSubscriptions: () => reports.watching,
  });
  // The informers' initial list queued every existing job before the reconciler existed; it reads them now.
  logger.info('Started controller', {
    namespace: options.namespace ?? '(all)',
    jobs: caches.jobs.list().length,
  });
  late.reconciler = reconciler;
  try {
    await runWorkers(queue, {
      concurrency: options.concurrency ?? 4,
      signal,
      reconcile: async (key, workerSignal) => {
        const started = performance.now();
        let failure: unknown;
        try {
          return await reconciler.reconcile(key, workerSignal);
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          const ms = performance.now() - started;
          options.metrics?.reconciles.inc({ result: failure === undefined ? 'success' : 'error' });
          options.metrics?.reconcileSeconds.observe(ms / 1000);
          options.onReconciled?.(key, ms, failure);
        }
      },
      onError: (key, error, retryInMs) =>
        logger.error('Reconcile failed; retrying', { job: key, retryInMs, error: describe(error) }),
    });
  } finally {
    options.metrics?.attach(undefined);
    await reports.close();
    logger.info('Stopped controller');
  }
}
