// A reconcile that keeps failing, on the real apiserver: a ResourceQuota of `pods: 0` makes every pod create
// fail (HTTP 403, exceeded quota). The job's status says so (ReconcileFailed True, reason QuotaExceeded, the
// apiserver's message), not only the log and Events; lifting the quota lets the operator create the pods and
// clears the condition (False, Reconciled). The jobs the operator skips (missing worker settings):
// worker-defaults.test.ts.
import { expect } from 'chai';
import type { BaclJob } from '../../../common/index.js';
import { createJob, getJob, newNamespace, podsOf, stateOf, waitFor, controllerSuite } from './env.js';

const reconcileFailed = (job: BaclJob | undefined) =>
  job?.status?.conditions?.find((c) => c.type === 'ReconcileFailed');

describe('operator/controller: a reconcile that keeps failing shows in the job status', function () {
  this.timeout(120_000);
  const suite = controllerSuite();

  it('a quota that forbids pods: ReconcileFailed QuotaExceeded with the message, cleared once the quota is lifted', async function () {
    const namespace = await newNamespace(suite.w, 'quota');
    await suite.w.core.createNamespacedResourceQuota({
      namespace,
      body: { metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } },
    });
    // No quota controller runs beside this apiserver: the quota's usage is written as it would have written it.
    await suite.w.core.replaceNamespacedResourceQuotaStatus({
      namespace,
      name: 'no-pods',
      body: {
        metadata: { name: 'no-pods', namespace },
        spec: { hard: { pods: '0' } },
        status: { hard: { pods: '0' }, used: { pods: '0' } },
      },
    });
    suite.start(namespace, { workerCommand: ['/bin/sh', '-c', 'exec sleep 60'] });
    const started = performance.now();
    await createJob(suite.w, namespace, 'q', { nodes: 2 });
    const failing = await waitFor(
      'ReconcileFailed to turn True',
      async () => {
        const job = await getJob(suite.w, namespace, 'q');
        return reconcileFailed(job)?.status === 'True' ? job : undefined;
      },
      { last: async () => stateOf(await getJob(suite.w, namespace, 'q')) },
    );
    const shownMs = performance.now() - started;
    const condition = reconcileFailed(failing)!;
    expect(condition.reason).to.equal('QuotaExceeded');
    expect(condition.message).to.match(
      /^create pod quota-\w+\/q-rep-0-0 failed \(HTTP 403\): .*exceeded quota: no-pods.*Try this: raise the namespace's ResourceQuota.*\(the operator retries with backoff\)$/,
    );
    // The rest of the status is still the job's: created, not terminal.
    expect(failing.status?.state).to.equal('Pending');
    expect(failing.status?.conditions?.find((c) => c.type === 'Created')?.status).to.equal('True');
    expect(await podsOf(suite.w, namespace, 'q')).to.deep.equal([]);

    await suite.w.core.deleteNamespacedResourceQuota({ namespace, name: 'no-pods' });
    const lifted = performance.now();
    const recovered = await waitFor(
      'the pods to be created and ReconcileFailed to clear',
      async () => {
        const job = await getJob(suite.w, namespace, 'q');
        const pods = await podsOf(suite.w, namespace, 'q');
        return reconcileFailed(job)?.status === 'False' && pods.length === 2 ? job : undefined;
      },
      { last: async () => stateOf(await getJob(suite.w, namespace, 'q')) },
    );
    expect(reconcileFailed(recovered)).to.deep.include({
      reason: 'Reconciled',
      message: 'the operator reconciled the job again',
    });
    console.log(
      `      condition shown ${(shownMs / 1000).toFixed(2)} s after create; cleared ` +
        `${((performance.now() - lifted) / 1000).toFixed(2)} s after the quota was lifted`,
    );
  });
});
