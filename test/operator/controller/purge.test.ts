import { expect } from 'chai';
import { bacljobs, purgePodName } from '../../../operator/internal.js';
import {
  createJob,
  eventsOf,
  getJob,
  newNamespace,
  patchSpec,
  podsOf,
  stateOf,
  waitFor,
  controllerSuite,
} from './env.js';

/**
 * Deleting a job with runPolicy.deleteRunDataOnDelete on the real apiserver (ADR 0037): a purge pod that fails
 * holds the job with RunDataPurged=False and a Warning Event naming the way out, and the way out works.
 */
describe('operator/controller: the run-data purge pod on deletion', function () {
  this.timeout(120_000);
  const suite = controllerSuite({ podRunner: true });

  it('a failing purge holds the job with RunDataPurged=False; retrying, then keeping the data, lets it go', async function () {
    const namespace = await newNamespace(suite.w, 'purge');
    // Worker pods run until stopped; the purge pod (args: purge <prefix>/) fails, saying why.
    suite.start(namespace, {
      workerCommand: [
        '/bin/sh',
        '-c',
        'if [ "$1" = purge ]; then echo "purge: AccessDenied on $2"; exit 1; fi; exec sleep 60',
        'bacl-worker',
      ],
    });
    await createJob(suite.w, namespace, 'held', { runPolicy: { deleteRunDataOnDelete: true } });
    await waitFor(
      'the job to run',
      async () => (await getJob(suite.w, namespace, 'held'))?.status?.state === 'Running',
    );
    await suite.w.custom.deleteNamespacedCustomObject({ ...bacljobs, namespace, name: 'held' });

    const purgeFailed = async () => {
      const job = await getJob(suite.w, namespace, 'held');
      const purged = job?.status?.conditions?.find((c) => c.type === 'RunDataPurged');
      return purged?.status === 'False' && purged.reason === 'PurgeFailed' ? purged : undefined;
    };
    const condition = await waitFor('RunDataPurged=False', purgeFailed, {
      last: async () => stateOf(await getJob(suite.w, namespace, 'held')),
    });
    // The pod's reason carries its log's tail (terminationMessagePolicy FallbackToLogsOnError).
    expect(condition.message, condition.message).to.match(
      /purge pod held-purge failed to delete s3:\/\/.*\/runs\/.*\/held\/.*\/ \(Error \(exit 1\): purge: AccessDenied on s3:/,
    );
    expect(condition.message).to.include(`kubectl delete pod held-purge -n ${namespace}`);
    // The worker pods were gone before the purge pod started.
    expect((await podsOf(suite.w, namespace, 'held')).map((pod) => pod.metadata?.name)).to.deep.equal([
      purgePodName('held'),
    ]);
    const warnings = await waitFor('the Warning event', async () => {
      const found = (await eventsOf(suite.w, namespace, 'held')).filter((e) => e.reason === 'PurgeFailed');
      return found.length > 0 && found;
    });
    expect(warnings[0]?.type).to.equal('Warning');

    // Retry: deleting the failed pod makes a new one (which fails again here).
    const firstUid = (await podsOf(suite.w, namespace, 'held'))[0]?.metadata?.uid;
    await suite.w.core.deleteNamespacedPod({ namespace, name: purgePodName('held') });
    await waitFor('a new purge pod', async () => {
      const pods = await podsOf(suite.w, namespace, 'held');
      return pods.length === 1 && pods[0]?.metadata?.uid !== firstUid;
    });
    expect(await getJob(suite.w, namespace, 'held')).to.not.equal(undefined);

    // Keep the data: the job goes, its purge pod with it.
    await patchSpec(suite.w, namespace, 'held', { runPolicy: { deleteRunDataOnDelete: false } });
    await waitFor('the job to be gone', async () => (await getJob(suite.w, namespace, 'held')) === undefined);
    await waitFor(
      'the purge pod to be gone',
      async () => (await podsOf(suite.w, namespace, 'held')).length === 0,
    );
    const kept = (await eventsOf(suite.w, namespace, 'held')).filter((e) => e.reason === 'KeptRunData');
    expect(kept).to.have.length.at.least(1);
  });
});
