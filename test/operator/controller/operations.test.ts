import { expect } from 'chai';
import {
  createJob,
  eventsOf,
  getJob,
  newNamespace,
  patchSpec,
  podsOf,
  stateOf,
  waitFor,
  type RunningOperator,
  controllerSuite,
} from './env.js';

const runsUntilStopped = ['/bin/sh', '-c', 'exec sleep 60'];

/** What users and the cluster do to a running job: restart the operator, suspend, resume, delete. */
describe('operator/controller: operator restarts, suspend and deletion', function () {
  this.timeout(120_000);
  const suite = controllerSuite({ podRunner: true });
  let operator: RunningOperator | undefined;
  let namespace: string;

  const job = (name: string) => getJob(suite.w, namespace, name);
  const inState = (name: string, state: string, attempt?: number) =>
    waitFor(
      `${name} to be ${state}`,
      async () => {
        const current = await job(name);
        const matches =
          current?.status?.state === state && (attempt === undefined || current.status.attempt === attempt);
        return matches ? current : undefined;
      },
      { last: async () => stateOf(await job(name)) },
    );
  const podNames = async (name: string) =>
    (await podsOf(suite.w, namespace, name)).map((pod) => pod.metadata?.name).sort();

  it('an operator restarted mid-job creates no duplicate pods and writes nothing new', async function () {
    namespace = await newNamespace(suite.w, 'restart-op');
    operator = suite.start(namespace, { workerCommand: runsUntilStopped });
    await createJob(suite.w, namespace, 'd', { nodes: 2 });
    const before = await inState('d', 'Running');
    await operator.stop();
    const uids = (await podsOf(suite.w, namespace, 'd')).map((pod) => pod.metadata?.uid).sort();

    operator = suite.start(namespace, { workerCommand: runsUntilStopped });
    const metrics = operator.metrics;
    await waitFor('the new operator to reconcile the job', () =>
      Promise.resolve(metrics.reconciles.get({ result: 'success' }) >= 1),
    );
    expect((await podsOf(suite.w, namespace, 'd')).map((pod) => pod.metadata?.uid).sort()).to.deep.equal(
      uids,
    );
    const after = await job('d');
    expect(after?.metadata.resourceVersion, 'status unchanged, so not written').to.equal(
      before.metadata.resourceVersion,
    );
    const created = (await eventsOf(suite.w, namespace, 'd')).filter(
      (event) => event.reason === 'CreatedPod',
    );
    expect(created).to.have.length(2);
  });

  it('suspend deletes the pods; resume starts a new attempt without counting a restart', async function () {
    namespace = await newNamespace(suite.w, 'suspend');
    operator = suite.start(namespace, { workerCommand: runsUntilStopped });
    await createJob(suite.w, namespace, 's');
    await inState('s', 'Running', 0);
    await patchSpec(suite.w, namespace, 's', { runPolicy: { suspend: true } });
    await inState('s', 'Suspended');
    await waitFor('the pods to be gone', async () => (await podNames('s')).length === 0, {
      last: () => podNames('s'),
    });

    await patchSpec(suite.w, namespace, 's', { runPolicy: { suspend: false } });
    const resumed = await inState('s', 'Running', 1);
    expect(resumed.status?.restarts).to.equal(0);
    expect(await podNames('s')).to.deep.equal(['s-rep-1-0']);
    const reasons = (await eventsOf(suite.w, namespace, 's')).map((event) => event.reason);
    expect(reasons).to.include.members(['JobSuspended', 'JobResumed']);
  });

  it('deleting a job leaves nothing behind: pods, ConfigMap, Service and the job itself', async function () {
    namespace = await newNamespace(suite.w, 'delete');
    operator = suite.start(namespace, { workerCommand: runsUntilStopped });
    await createJob(suite.w, namespace, 'x', { nodes: 2 });
    await inState('x', 'Running');
    await suite.w.custom.deleteNamespacedCustomObject({
      group: 'bacl.dev',
      version: 'v1alpha1',
      plural: 'bacljobs',
      namespace,
      name: 'x',
    });

    await waitFor('the job to be gone', async () => (await job('x')) === undefined);
    await waitFor('the pods to be gone', async () => (await podNames('x')).length === 0, {
      last: () => podNames('x'),
    });
    const configMaps = await suite.w.core.listNamespacedConfigMap({
      namespace,
      labelSelector: 'bacl.dev/job=x',
    });
    const services = await suite.w.core.listNamespacedService({ namespace, labelSelector: 'bacl.dev/job=x' });
    expect(configMaps.items).to.deep.equal([]);
    expect(services.items).to.deep.equal([]);
  });
});
