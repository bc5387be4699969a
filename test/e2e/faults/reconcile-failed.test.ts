// Fault: a reconcile that keeps failing, on the whole system: a ResourceQuota of `pods: 0` in the job's
// namespace makes every pod create fail (HTTP 403, exceeded quota). The job does not sit silently Pending: its
// status carries ReconcileFailed (reason QuotaExceeded, the apiserver's message) while the operator retries with
// backoff; once the quota is lifted the pods are created, the condition clears (Reconciled) and the job
// Succeeds like the uninterrupted run. docs/adr/0035-fault-handling.md.
import { expect } from 'chai';
import type { BaclJob } from '../../../common/index.js';
import { recordReliability } from '../reliability/entries.js';
import {
  checkpointDigest,
  E2eSystem,
  e2eWorld,
  referenceRun,
  runsAttempt,
  seconds,
  type ReferenceRun,
} from '../fixture/index.js';

const reconcileFailed = (job: BaclJob) => job.status?.conditions?.find((c) => c.type === 'ReconcileFailed');

describe('e2e fault: a reconcile that keeps failing (a quota forbids the pods)', function () {
  this.timeout(1_500_000);
  const name = 'quota';
  let system: E2eSystem | undefined;
  let reference: ReferenceRun;

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    system = await E2eSystem.start(w, { prefix: 'fault-quota' });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
  });

  it('shows ReconcileFailed QuotaExceeded in the status while pods are forbidden, clears it and Succeeds once the quota is lifted', async function () {
    const s = system!;
    const { core } = s.w;
    const namespace = s.namespace;
    await core.createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
    });
    // No quota controller runs beside this apiserver: the usage it would write, written by the test.
    await core.replaceNamespacedResourceQuotaStatus({
      namespace,
      name: 'no-pods',
      body: {
        metadata: { name: 'no-pods', namespace },
        spec: { hard: { pods: '0' } },
        status: { hard: { pods: '0' }, used: { pods: '0' } },
      },
    });
    const submittedAt = Date.now();
    await s.submit(name);
    const failing = await s.waitForJob(
      name,
      'ReconcileFailed True',
      (job) => reconcileFailed(job)?.status === 'True',
    );
    const shownAfter = seconds(submittedAt);
    const condition = reconcileFailed(failing)!;
    expect(condition.reason).to.equal('QuotaExceeded');
    expect(condition.message).to.match(/failed \(HTTP 403\): .*exceeded quota: no-pods/);
    expect(failing.status?.state).to.equal('Pending');
    expect(await s.pods(name)).to.deep.equal([]);
    // Still shown (not flapping) a few seconds later, with the operator retrying.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(reconcileFailed((await s.job(name))!)?.status).to.equal('True');

    await core.deleteNamespacedResourceQuota({ namespace, name: 'no-pods' });
    const liftedAt = Date.now();
    await s.waitForJob(name, 'attempt 0 to run', (job) => runsAttempt(job, 0));
    const runningAfter = seconds(liftedAt);
    const job = await s.finished(name);
    const final = await checkpointDigest(s.w, job, 'classifier');
    const ap = job.status?.results?.AP ?? null;
    const cleared = reconcileFailed(job);
    recordReliability({
      kind: 'fault',
      id: 'reconcile-failed-quota',
      test: this.test!.fullTitle(),
      fault:
        'a ResourceQuota of pods: 0 in the namespace when the job is submitted; lifted once the job shows it',
      happened:
        `${shownAfter} s after submit the job's status showed ReconcileFailed=True ${condition.reason}: ` +
        `"${condition.message}" (state Pending, no pod); after the quota was deleted the pods were created, ` +
        `ReconcileFailed turned ${cleared?.status} (${cleared?.reason}) and the job ran to ${job.status?.state} ` +
        `(restarts ${job.status?.restarts}); final weights ` +
        `${final.digest === reference.final.digest ? 'bitwise equal to' : 'DIFFERENT from'} the uninterrupted run's`,
      outcome: { state: job.status?.state === 'Succeeded' ? 'Succeeded' : 'Failed' },
      recoverSeconds: runningAfter,
      stepsLost: 0,
      finalAp: ap,
      referenceAp: reference.ap,
      bitwiseEqual: final.digest === reference.final.digest,
    });

    expect(job.status?.state).to.equal('Succeeded');
    expect(job.status?.restarts).to.equal(0);
    expect(cleared).to.deep.include({ status: 'False', reason: 'Reconciled' });
    expect(final.blobs, 'final checkpoint blobs').to.deep.equal(reference.final.blobs);
    expect(ap).to.equal(reference.ap);
  });
});
