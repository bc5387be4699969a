import { InvalidBaclJobError, parseBaclJob, type BaclJob, type BaclJobStatus } from '../../common/index.js';
import { isTerminal } from '../reconcile/conditions.js';
import { decide } from '../reconcile/decide.js';
import {
  reconcileFailing,
  withReconcileProblem,
  type ReconcileProblem,
} from '../reconcile/reconcile-failed.js';
import type { NatsUserMinter } from '../nats/job-user.js';
import { natsCredentialsSecretPrefix, type NatsMinting } from '../reconcile/nats-credentials.js';
import { applyWorkerDefaults, type WorkerDefaults } from '../reconcile/worker-defaults.js';
import type { Logger } from '../telemetry/logger.js';
import type { Clock } from './clock.js';
import { describe } from './errors.js';
import { runEffects } from './effects.js';
import { transitionEvents, type EventRecorder } from './events.js';
import type { Caches } from './informers.js';
import type { KubeApi, RawJob } from './kube-api.js';
import { buildObserved } from './observed.js';
import { describeReconcileError, invalidSpecProblem, missingSettingsProblem } from './reconcile-problem.js';
import type { RankReports } from './rank-reports.js';
import { sameJson } from './same-json.js';
import type { ReconcileOutcome } from './workers.js';

// One reconcile of one job key: read the job from the cache, build Observed, decide, commit the decided status,
// then run the actions. The status goes first because it is the record of decisions (the attempt number, a
// restart counted): if the operator dies between the two, the next reconcile carries out the recorded decision
// instead of taking it again. docs/adr/0012-operator-runtime.md.
// A reconcile that cannot act on the job (an error, or a job the operator must skip) says so in the job's
// status, the ReconcileFailed condition, and clears it once a reconcile gets through (docs/adr/0035).

export interface ReconcilerDeps {
  api: KubeApi;
  caches: Caches;
  reports: RankReports;
  events: EventRecorder;
  logger: Logger;
  clock: Clock;
  /** @default 300 s; see DecideOptions.terminatingGraceSeconds */
  terminatingGraceSeconds?: number;
  /** @default 600 s; see DecideOptions.purgeTimeoutSeconds */
  purgeTimeoutSeconds?: number;
  workerCommand?: string[];
  /** Filled into a job's spec on first sight (operator/reconcile/worker-defaults.ts). @default {} */
  workerDefaults?: WorkerDefaults;
  /** Per-job NATS users for jobs on `url` (ADR 0038); undefined: jobs bring their own credentials or none. */
  natsMinting?: NatsMinting & { minter: NatsUserMinter };
}

/** How soon to look again at a job whose own write has not reached the cache yet (its watch event also wakes it). */
const cacheLagRetryMs = 1000;

export class Reconciler {
  /** Per job key: the resourceVersion the cache held when this operator last wrote the job. */
  private readonly behind = new Map<string, string>();
  /** `namespace/name` of every minted NATS credentials Secret created or found existing by this process. */
  private readonly natsSecrets = new Set<string>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** The informer saw a new version of a job: the cache has caught up with any earlier write of ours. */
  observeJob(raw: RawJob): void {
    const key = `${raw.metadata.namespace}/${raw.metadata.name}`;
    if (this.behind.get(key) !== raw.metadata.resourceVersion) this.behind.delete(key);
  }

  async reconcile(key: string, signal: AbortSignal): Promise<ReconcileOutcome | undefined> {
    const { caches, reports, api } = this.deps;
    const [namespace = '', name = ''] = key.split('/');
    const raw = caches.jobs.get(name, namespace);
    if (!raw) {
      reports.unwatch(key);
      this.behind.delete(key);
      return undefined;
    }
    // Deciding on a version older than our own last write would take a decision twice (e.g. restart twice).
    if (this.behind.get(key) === raw.metadata.resourceVersion) return { requeueAfterMs: cacheLagRetryMs };

    const logger = this.deps.logger.with({ job: key });
    const defaults = applyWorkerDefaults(raw.spec, this.deps.workerDefaults ?? {});
    const stored = raw.status as BaclJobStatus | undefined;
    if (defaults.patch) {
      try {
        await api.patchJob(raw, defaults.patch);
      } catch (error) {
        if (!signal.aborted) await this.reportProblem(key, raw, stored, describeReconcileError(error));
        throw error;
      }
      // The patched job comes back through the watch; deciding on this older version would be wasted.
      this.behind.set(key, raw.metadata.resourceVersion ?? '');
      logger.info('Defaulted worker settings', { fields: Object.keys(defaults.patch.spec) });
      return undefined;
    }
    if (defaults.missing.length > 0) {
      logger.error('Skipped job without worker settings', { missing: defaults.missing });
      await this.reportProblem(key, raw, stored, missingSettingsProblem(defaults.missing));
      return undefined;
    }
    let job;
    try {
      job = parseBaclJob(raw);
    } catch (error) {
      if (!(error instanceof InvalidBaclJobError)) throw error;
      // The CRD refuses such objects; one that got in anyway is reported, not retried (it will not heal).
      logger.error('Skipped invalid job', { issues: error.issues });
      await this.reportProblem(key, raw, stored, invalidSpecProblem(error.issues));
      return undefined;
    }
    // What the job's status says now, as far as this reconcile got: a failure is recorded on top of it.
    const progress = { status: stored };
    try {
      return await this.reconcileJob(key, raw, job, progress, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      await this.reportProblem(key, raw, progress.status, describeReconcileError(error));
      throw error;
    }
  }

  private async reconcileJob(
    key: string,
    raw: RawJob,
    job: BaclJob,
    progress: { status: BaclJobStatus | undefined },
    signal: AbortSignal,
  ): Promise<ReconcileOutcome | undefined> {
    const { reports, api } = this.deps;
    const { namespace = '', name } = job.metadata;
    const logger = this.deps.logger.with({ job: key });
    const status = job.status ?? {};
    if (job.metadata.deletionTimestamp || isTerminal(status)) reports.unwatch(key);
    else reports.watch(namespace, name, job.spec.nats.url);

    const observed = buildObserved(job, this.deps);
    const minting = this.deps.natsMinting;
    const secretsOf = `${namespace}/${natsCredentialsSecretPrefix(job)}`;
    if (minting) {
      observed.natsSecrets = [...this.natsSecrets]
        .filter((secret) => secret.startsWith(secretsOf))
        .map((secret) => secret.slice(namespace.length + 1));
    }
    const decision = decide(job, observed, new Date(this.deps.clock.now()), {
      terminatingGraceSeconds: this.deps.terminatingGraceSeconds,
      purgeTimeoutSeconds: this.deps.purgeTimeoutSeconds,
      ...(minting ? { natsMinting: { url: minting.url, periodSeconds: minting.periodSeconds } } : {}),
    });

    let current = raw;
    // A job being deleted keeps its status, except RunDataPurged when its purge pod fails (finish.ts).
    if (!sameJson(raw.status ?? {}, decision.status)) {
      current = await api.writeStatus(raw, decision.status);
      progress.status = decision.status;
      // Recorded at once: should an action below fail, the retry must still not decide on the old status.
      this.behind.set(key, raw.metadata.resourceVersion ?? '');
      logger.debug('Updated status', { state: decision.status.state, stage: decision.status.stage });
      await this.recordTransitions(job, raw.status as BaclJobStatus | undefined, decision.status);
    }
    const effects = await runEffects(
      {
        api,
        events: this.deps.events,
        logger,
        signal,
        workerCommand: this.deps.workerCommand,
        ...(minting ? { natsMinter: minting.minter } : {}),
        onNatsSecret: (secretNamespace, secretName) =>
          this.natsSecrets.add(`${secretNamespace}/${secretName}`),
      },
      { ...job, status: decision.status },
      current,
      decision.actions,
    );
    if (effects.released) {
      for (const secret of this.natsSecrets)
        if (secret.startsWith(secretsOf)) this.natsSecrets.delete(secret);
      reports.unwatch(key);
    }
    if (effects.wroteJob) this.behind.set(key, raw.metadata.resourceVersion ?? '');
    if (!effects.released && !job.metadata.deletionTimestamp && reconcileFailing(decision.status)) {
      await this.reportProblem(key, raw, decision.status, undefined);
    }
    return effects.requeueAfterMs === undefined ? undefined : { requeueAfterMs: effects.requeueAfterMs };
  }

  /**
   * Writes the ReconcileFailed condition onto `status` (set for a problem, cleared for undefined) when that
   * changes it. Best effort: a status write that fails too is logged, and the reconcile's own error stands.
   */
  private async reportProblem(
    key: string,
    raw: RawJob,
    status: BaclJobStatus | undefined,
    problem: ReconcileProblem | undefined,
  ): Promise<void> {
    const logger = this.deps.logger.with({ job: key });
    const before = status ?? {};
    const after = withReconcileProblem(
      before,
      problem,
      new Date(this.deps.clock.now()),
      (raw.metadata as { generation?: number }).generation,
    );
    if (sameJson(before, after)) return;
    try {
      await this.deps.api.writeStatus(raw, after);
      this.behind.set(key, raw.metadata.resourceVersion ?? '');
      if (problem) logger.error('Reconcile failed', { reason: problem.reason, message: problem.message });
      else logger.info('Reconciled again', { reason: 'ReconcileFailed cleared' });
    } catch (error) {
      logger.error('Failed to record ReconcileFailed', { error: describe(error) });
    }
  }

  private async recordTransitions(
    job: Parameters<EventRecorder['record']>[0],
    before: BaclJobStatus | undefined,
    after: BaclJobStatus,
  ): Promise<void> {
    for (const event of transitionEvents(before, after)) {
      const level = event.type === 'Warning' ? 'error' : 'info';
      this.deps.logger[level](event.log, {
        job: `${job.metadata.namespace}/${job.metadata.name}`,
        reason: event.reason,
        message: event.message,
      });
      await this.deps.events.record(job, event.type, event.reason, event.message);
    }
  }
}
