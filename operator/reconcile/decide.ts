import type { BaclJob, BaclJobStatus, JobStage } from '../../common/index.js';
import { deriveState, isTerminal, isTrue } from './conditions.js';
import { Reconciliation } from './context.js';
import { fail, finalizeDeletion, settleFinished } from './finish.js';
import { countWorkers, groupFailure, groupPods, type GroupFailure } from './group.js';
import { desiredPods, finalizer, stagesOf } from './naming.js';
import { mintedCredentials } from './nats-credentials.js';
import { buildConfigMap, buildNatsCredentialsSecret, buildService } from './objects.js';
import { checkpointPhrase, foldCheckpoint, foldProgress, roundResults } from './reports.js';
import { reconcileGroup } from './run-group.js';
import type { DecideOptions, Decision, Observed } from './types.js';

const defaultGraceSeconds = 300;
const defaultPurgeTimeoutSeconds = 600;

/**
 * The whole reconcile logic of a BaclJob: from the job and what exists now, the actions that move the world
 * toward the job and the status to write. Level-triggered (the same inputs give the same answer, however
 * often it runs), pure (no I/O, the clock is a parameter). docs/adr/0005-reconcile-core.md explains the rules.
 */
export function decide(job: BaclJob, observed: Observed, now: Date, options: DecideOptions = {}): Decision {
  const grace = options.terminatingGraceSeconds ?? defaultGraceSeconds;
  const r = new Reconciliation(job, observed, now, grace, structuredClone(job.status ?? {}));
  if (job.metadata.deletionTimestamp !== undefined) {
    finalizeDeletion(r, options.purgeTimeoutSeconds ?? defaultPurgeTimeoutSeconds);
    return { actions: r.finalActions(), status: r.status };
  }
  if (!job.metadata.finalizers?.includes(finalizer)) r.actions.push({ type: 'AddFinalizer', finalizer });
  r.status.observedGeneration = job.metadata.generation;
  if (!isTrue(r.status, 'Created')) initialize(r);

  if (!isTerminal(r.status)) driveActiveJob(r, options);
  if (isTerminal(r.status)) settleFinished(r);
  r.status.state = deriveState(r.status);
  return { actions: r.finalActions(), status: r.status };
}

function initialize(r: Reconciliation): void {
  const { spec } = r.job;
  const stages = stagesOf(r.job);
  r.status.stage = stages[0];
  r.status.attempt = 0;
  r.status.restarts = 0;
  r.condition(
    'Created',
    'True',
    'JobCreated',
    `stages ${stages.join(', ')}; ${spec.nodes} worker pod(s) x ${spec.gpusPerNode} GPU(s)`,
  );
}

/** Everything for a job that has not finished; may finish it. */
function driveActiveJob(r: Reconciliation, options: DecideOptions): void {
  const { job, observed, status } = r;
  if (!observed.configMap) r.actions.push({ type: 'CreateConfigMap', configMap: buildConfigMap(job) });
  if (!observed.service) r.actions.push({ type: 'CreateService', service: buildService(job) });
  foldProgress(status, observed);
  foldCheckpoint(status, observed);

  // Suspension comes first: it stops the deadline clock.
  if (job.spec.runPolicy.suspend) return suspend(r);
  if (isTrue(status, 'Suspended')) resume(r);
  status.startTime ??= r.now.toISOString();
  if (deadlineExceeded(r)) return;
  mintNatsCredentials(r, options);

  const stage = status.stage ?? stagesOf(job)[0]!;
  const desired = desiredPods(job);
  const group = groupPods(observed.pods, stage, status.attempt ?? 0);
  const failure = groupFailure(group, desired, r.now, r.graceSeconds);
  if (failure) {
    restart(r, failure);
  } else if (group.length === desired && group.every((pod) => pod.phase === 'Succeeded')) {
    stageSucceeded(r, stage);
  } else {
    reconcileGroup(r, group);
    return;
  }
  // A restart or a new stage starts a new group with no pods yet, unless the job just ended.
  if (!isTerminal(status)) reconcileGroup(r, []);
}

/**
 * A job whose NATS user the operator mints (nats-credentials.ts): its Secret for the current period is created
 * before any pod that mounts it; pods created from now on mount it.
 */
function mintNatsCredentials(r: Reconciliation, options: DecideOptions): void {
  const minted = mintedCredentials(r.job, options.natsMinting, r.now);
  if (!minted) return;
  r.natsSecret = minted.secretName;
  if (r.observed.natsSecrets?.includes(minted.secretName)) return;
  const { metadata } = r.job;
  r.actions.push({
    type: 'CreateNatsCredentials',
    secret: buildNatsCredentialsSecret(r.job, minted.secretName),
    user: {
      namespace: metadata.namespace ?? 'default',
      job: metadata.name,
      issuedAt: minted.issuedAt,
      expires: minted.expires,
    },
  });
}

function deadlineExceeded(r: Reconciliation): boolean {
  const deadline = r.job.spec.runPolicy.activeDeadlineSeconds;
  if (deadline === undefined || r.status.startTime === undefined) return false;
  const elapsed = (r.now.getTime() - Date.parse(r.status.startTime)) / 1000;
  if (elapsed < deadline) {
    r.wakeIn(deadline - elapsed);
    return false;
  }
  fail(r, 'DeadlineExceeded', `the job ran ${Math.floor(elapsed)}s, past activeDeadlineSeconds=${deadline}`);
  return true;
}

/** Suspended: no pods, the deadline clock stopped (startTime cleared, as Kubernetes Jobs do). */
function suspend(r: Reconciliation): void {
  const { status } = r;
  for (const pod of r.observed.pods) {
    if (pod.deletionTimestamp === undefined && pod.phase !== 'Succeeded' && pod.phase !== 'Failed') {
      r.deletePod(pod, 'job suspended');
    }
  }
  r.condition(
    'Suspended',
    'True',
    'JobSuspended',
    `worker pods deleted; resuming continues ${checkpointPhrase(status)}`,
  );
  r.clear('Running', 'JobSuspended', 'the job is suspended');
  r.clear('Restarting', 'JobSuspended', 'the job is suspended');
  delete status.startTime;
  const stage = status.stage ?? stagesOf(r.job)[0]!;
  status.workers = countWorkers(groupPods(r.observed.pods, stage, status.attempt ?? 0), desiredPods(r.job));
}

/** Resumed: a new group (new attempt, so it never mixes with the old one on NATS); not a restart. */
function resume(r: Reconciliation): void {
  r.status.attempt = (r.status.attempt ?? 0) + 1;
  r.condition(
    'Suspended',
    'False',
    'JobResumed',
    `stage ${r.status.stage} resumed ${checkpointPhrase(r.status)}`,
  );
  r.status.startTime = r.now.toISOString();
}

/**
 * Restarts the stage's whole group from its last checkpoint, or fails the job when backoffLimit is used up or
 * the failure is one a restart cannot fix (LossDiverged: the last good checkpoint stays the latest).
 */
function restart(r: Reconciliation, failure: GroupFailure): void {
  const { status } = r;
  if (!failure.retryable) {
    const checkpoint = status.lastCheckpoint;
    const kept =
      checkpoint && checkpoint.stage === status.stage
        ? `the last good checkpoint ${checkpoint.uri} (step ${checkpoint.step}) is kept`
        : `stage ${status.stage} had written no checkpoint yet`;
    fail(r, failure.reason, `${failure.message}; not restarted: ${kept}`);
    return;
  }
  const limit = r.job.spec.runPolicy.backoffLimit;
  const restarts = status.restarts ?? 0;
  if (restarts >= limit) {
    fail(
      r,
      'BackoffLimitExceeded',
      `${failure.message}; backoffLimit ${limit} reached (${restarts} restarts)`,
    );
    return;
  }
  // The surviving pods of the group are stopped by reconcileGroup, as pods of an earlier attempt now.
  status.restarts = restarts + 1;
  status.attempt = (status.attempt ?? 0) + 1;
  const message = `${failure.message}; restarting stage ${status.stage} ${checkpointPhrase(status)} (restart ${restarts + 1} of ${limit})`;
  r.condition('Restarting', 'True', failure.reason, message);
  r.condition('Running', 'False', 'Restarting', message);
}

/**
 * Every rank of the stage succeeded: on to the job's next stage (stagesOf: the config's training stages, then
 * evaluate), or the job succeeded (or failed without results).
 */
function stageSucceeded(r: Reconciliation, stage: JobStage): void {
  const { status } = r;
  const stages = stagesOf(r.job);
  const next = stages[stages.indexOf(stage) + 1];
  if (next !== undefined) {
    status.stage = next;
    delete status.progress;
    return;
  }
  const results = r.observed.results;
  if (!results) {
    const problem = r.observed.resultsProblem === undefined ? '' : `: ${r.observed.resultsProblem}`;
    fail(r, 'ResultsMissing', `the evaluate stage succeeded but its rank 0 reported no metrics${problem}`);
    return;
  }
  status.results = roundResults(results);
  r.condition('Succeeded', 'True', 'JobSucceeded', summary(status));
}

function summary(status: BaclJobStatus): string {
  const results = status.results;
  const parts = (['AP', 'APr', 'APc', 'APf'] as const).flatMap((key) =>
    results?.[key] === undefined ? [] : [`${key} ${results[key]}`],
  );
  return `evaluated: ${parts.join(', ')}`;
}
