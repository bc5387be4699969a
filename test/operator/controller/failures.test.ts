import { expect } from 'chai';
import { startPodRunner, type PodRunner } from '../../harness/index.js';
import {
  createJob,
  getJob,
  newNamespace,
  podsOf,
  startOperator,
  stateOf,
  testWorld,
  waitFor,
  type RunningOperator,
  type TestWorld,
} from './env.js';

// The first attempt runs until stopped; later attempts finish at once (then the job stops at classifier... or
// wherever the test looks).
const firstAttemptRuns = [
  '/bin/sh',
  '-c',
  'if [ "$BACL_ATTEMPT" = 0 ]; then exec sleep 60; fi; exec sleep 60',
];

/** Worker failures on the real apiserver: restarts with attempt + 1, backoff exhaustion, lost nodes. */
describe('operator/controller: failures restart the group or fail the job', function () {
  this.timeout(120_000);
  let w: TestWorld;
  let runner: PodRunner | undefined;
  let operator: RunningOperator | undefined;
  let namespace: string;

  before(async function () {
    w = await testWorld();
  });
  beforeEach(async function () {
    runner = await startPodRunner(w.kubeConfig);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(operator?.logs.join(''));
    await operator?.stop();
    await runner?.stop();
    operator = runner = undefined;
  });

  const job = (name: string) => getJob(w, namespace, name);
  const running = (name: string, attempt: number) =>
    waitFor(
      `attempt ${attempt} of ${name} to run`,
      async () => {
        const current = await job(name);
        return current?.status?.state === 'Running' && current.status.attempt === attempt
          ? current
          : undefined;
      },
      { last: async () => stateOf(await job(name)) },
    );

  it('deleting a pod restarts the whole group with attempt + 1', async function () {
    namespace = await newNamespace(w, 'restart');
    operator = startOperator(w, namespace, { workerCommand: firstAttemptRuns });
    await createJob(w, namespace, 'r', { nodes: 2 });
    await running('r', 0);
    await w.core.deleteNamespacedPod({ namespace, name: 'r-rep-0-1' });

    const restarted = await running('r', 1);
    expect(restarted.status?.restarts).to.equal(1);
    const pods = (await podsOf(w, namespace, 'r')).map((pod) => pod.metadata?.name).sort();
    expect(pods).to.deep.equal(['r-rep-1-0', 'r-rep-1-1']);
    expect(runner?.started).to.include.members([`${namespace}/r-rep-1-0`, `${namespace}/r-rep-1-1`]);
  });

  it('a failing command exhausts backoffLimit and ends Failed with the reason', async function () {
    namespace = await newNamespace(w, 'backoff');
    operator = startOperator(w, namespace, { workerCommand: ['/bin/sh', '-c', 'exit 3'] });
    await createJob(w, namespace, 'b', { runPolicy: { backoffLimit: 1 } });
    const failed = await waitFor(
      'the job to fail',
      async () => {
        const current = await job('b');
        return current?.status?.state === 'Failed' ? current : undefined;
      },
      { last: async () => stateOf(await job('b')) },
    );
    expect(failed.status?.restarts).to.equal(1);
    const condition = failed.status?.conditions?.find((c) => c.type === 'Failed');
    expect(condition?.reason).to.equal('BackoffLimitExceeded');
    expect(condition?.message).to.contain('exit 3');
    expect((await podsOf(w, namespace, 'b')).map((pod) => pod.metadata?.name).sort()).to.deep.equal([
      'b-rep-0-0',
      'b-rep-1-0',
    ]);
  });

  it('a rank that exits with LossDiverged (5) fails the job at once, with restarts left, and no new group starts', async function () {
    namespace = await newNamespace(w, 'diverged');
    operator = startOperator(w, namespace, {
      workerCommand: [
        '/bin/sh',
        '-c',
        'echo "LossDiverged: stage representation, step 3: loss is NaN" >&2; exit 5',
      ],
    });
    await createJob(w, namespace, 'd', { nodes: 2, runPolicy: { backoffLimit: 3 } });
    const failed = await waitFor(
      'the job to fail',
      async () => {
        const current = await job('d');
        return current?.status?.state === 'Failed' ? current : undefined;
      },
      { last: async () => stateOf(await job('d')) },
    );
    expect(failed.status).to.deep.include({ restarts: 0, attempt: 0 });
    const condition = failed.status?.conditions?.find((c) => c.type === 'Failed');
    expect(condition?.reason).to.equal('LossDiverged');
    expect(condition?.message).to.match(/stopped with LossDiverged \(exit 5\).*not restarted/);
    expect(failed.status?.conditions?.find((c) => c.type === 'Restarting')).to.equal(undefined);
    // Still no attempt 1 a moment later: divergence is not retried.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const names = (await podsOf(w, namespace, 'd')).map((pod) => pod.metadata?.name).sort();
    expect(names.filter((name) => !name?.startsWith('d-rep-0-'))).to.deep.equal([]);
  });

  it('a pod stuck Terminating on a lost node past the grace period restarts the group', async function () {
    namespace = await newNamespace(w, 'lost');
    operator = startOperator(w, namespace, { workerCommand: firstAttemptRuns });
    await createJob(w, namespace, 'l', { nodes: 2 });
    await running('l', 0);
    runner?.loseNode();
    await runner?.stop();
    // Both pods are being evicted (short grace, so the test does not wait out the default 30 s); the lost node
    // never confirms either deletion.
    for (const name of ['l-rep-0-0', 'l-rep-0-1'])
      await w.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 1 });
    // A new node for the next group; the old pods stay on the lost one until the operator force-deletes them.
    runner = await startPodRunner(w.kubeConfig, { nodeName: `node-${namespace}` });

    const restarted = await running('l', 1);
    expect(restarted.status?.conditions?.find((c) => c.type === 'Restarting')?.reason).to.equal(
      'GroupRecovered',
    );
    const names = (await podsOf(w, namespace, 'l')).map((pod) => pod.metadata?.name).sort();
    expect(names).to.deep.equal(['l-rep-1-0', 'l-rep-1-1']);
  });
});
