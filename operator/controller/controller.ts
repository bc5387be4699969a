import type { KubeConfig } from '@kubernetes/client-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { operatorUserClaims, type NatsUserMinter } from '../nats/job-user.js';
import type { NatsMinting } from '../reconcile/nats-credentials.js';
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
  /**
   * Per-job NATS users (ADR 0038) for jobs on `url` that bring no credentials, signed by `minter`. The operator
   * subscribes to progress on `url` with `operatorCreds` (read at each connect), else with a user it mints
   * itself at each connect (operatorUserClaims, valid for a day). @default undefined (no minting)
   */
  nats?: NatsMinting & { minter: NatsUserMinter; operatorCreds?: () => Uint8Array };
}

/** How long the operator's self-minted user lives; it is renewed after half of that, so a reconnect finds it valid. */
const operatorUserSeconds = 24 * 3600;

/**
 * The operator's own credentials, minted with the signing key and kept until half their life is over: nats.js
 * reads a credentials function twice per connect (the JWT, then the seed), so both reads must see one user.
 */
function selfMintedCreds(minter: NatsUserMinter): () => Uint8Array {
  let current: { creds: Uint8Array; renewAt: number } | undefined;
  return () => {
    // The server judges expiry by its wall clock, not the controller's (tests run a manual one).
    const now = Math.floor(Date.now() / 1000);
    if (!current || now >= current.renewAt) {
      const { creds } = minter.mint((keys) =>
        operatorUserClaims({ issuedAt: now, expires: now + operatorUserSeconds }, keys),
      );
      current = { creds: new TextEncoder().encode(creds), renewAt: now + operatorUserSeconds / 2 };
    }
    return current.creds;
  };
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
    credentialsFor: (url) => {
      const nats = options.nats;
      if (!nats || url !== nats.url) return undefined;
      return nats.operatorCreds ?? selfMintedCreds(nats.minter);
    },
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
    ...(options.nats ? { natsMinting: options.nats } : {}),
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
