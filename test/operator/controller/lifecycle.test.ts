import { expect } from 'chai';
import { connect } from '@nats-io/transport-node';
import { progressSubject } from '../../../common/index.js';
import {
  createJob,
  eventsOf,
  getJob,
  newNamespace,
  podsOf,
  stateOf,
  waitFor,
  controllerSuite,
} from './env.js';

/** A job from creation to Succeeded on the real apiserver, with the test pod runner as scheduler and kubelet. */
describe('operator/controller: a BaclJob runs end to end', function () {
  this.timeout(120_000);
  const suite = controllerSuite({ podRunner: true });
  let namespace: string;

  it('creates pods with the rank env, owner references and GPU requests; runs the stages to Succeeded', async function () {
    namespace = await newNamespace(suite.w, 'e2e');
    // The evaluate stage's rank 0 reports its metrics in its termination message (ADR 0037): no S3 read.
    const metrics = JSON.stringify({ AP: 0.254321, APr: 0.151, APc: 0.2449, APf: 0.3012 });
    suite.start(namespace, {
      workerCommand: [
        '/bin/sh',
        '-c',
        'sleep 0.2; if [ "$BACL_STAGE" = evaluate ] && [ "$NODE_RANK" = 0 ]; then ' +
          `printf '%s' '${metrics}' > "$BACL_TERMINATION_LOG"; fi`,
      ],
    });
    const created = await createJob(suite.w, namespace, 'tiny', { nodes: 2, gpusPerNode: 1 });

    const done = await waitFor(
      'the job to succeed',
      async () => {
        const job = await getJob(suite.w, namespace, 'tiny');
        return job?.status?.state === 'Succeeded' || job?.status?.state === 'Failed' ? job : undefined;
      },
      { last: async () => stateOf(await getJob(suite.w, namespace, 'tiny')) },
    );
    expect(done.status?.state, JSON.stringify(stateOf(done))).to.equal('Succeeded');
    expect(done.status?.results).to.include({ AP: 0.2543, APr: 0.151 });
    expect(done.status?.results?.uri).to.match(/\/eval\/metrics\.json$/);
    expect(done.metadata.finalizers).to.deep.equal(['bacl.dev/cleanup']);
    expect(done.status?.observedGeneration).to.equal(done.metadata.generation);

    const pods = await podsOf(suite.w, namespace, 'tiny');
    expect(pods.map((pod) => pod.metadata?.name).sort()).to.deep.equal([
      'tiny-cls-0-0',
      'tiny-cls-0-1',
      'tiny-eval-0-0',
      'tiny-eval-0-1',
      'tiny-rep-0-0',
      'tiny-rep-0-1',
    ]);
    const rank1 = pods.find((pod) => pod.metadata?.name === 'tiny-rep-0-1');
    const env = Object.fromEntries((rank1?.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).to.include({
      BACL_JOB: `${namespace}/tiny`,
      BACL_STAGE: 'representation',
      BACL_ATTEMPT: '0',
      NODE_RANK: '1',
      WORLD_SIZE: '2',
      NATS_URL: suite.w.natsUrl,
    });
    expect(rank1?.metadata?.ownerReferences?.[0]).to.include({
      kind: 'BaclJob',
      name: 'tiny',
      uid: created.metadata.uid,
      controller: true,
    });
    expect(rank1?.spec?.containers[0]?.resources?.requests).to.include({ 'nvidia.com/gpu': '1' });
    expect(rank1?.status?.phase).to.equal('Succeeded');

    const reasons = (await eventsOf(suite.w, namespace, 'tiny')).map((event) => event.reason);
    expect(reasons.filter((reason) => reason === 'CreatedPod')).to.have.length(6);
    expect(reasons).to.include.members([
      'CreatedConfigMap',
      'CreatedService',
      'StageStarted',
      'JobSucceeded',
    ]);
  });

  it("folds the ranks' NATS progress into status", async function () {
    namespace = await newNamespace(suite.w, 'progress');
    suite.start(namespace, { workerCommand: ['/bin/sh', '-c', 'exec sleep 60'] });
    await createJob(suite.w, namespace, 'prog');
    await waitFor(
      'the group to run',
      async () => (await getJob(suite.w, namespace, 'prog'))?.status?.state === 'Running',
    );
    const nc = await connect({ servers: suite.w.natsUrl });
    try {
      const publish = (step: number) =>
        nc.publish(
          progressSubject(namespace, 'prog', 0),
          JSON.stringify({ kind: 'progress', stage: 'representation', step, totalSteps: 400, loss: 1.23456 }),
        );
      const job = await waitFor('progress in status', async () => {
        publish(100);
        const current = await getJob(suite.w, namespace, 'prog');
        return current?.status?.progress ? current : undefined;
      });
      expect(job.status?.progress).to.include({
        step: 100,
        totalSteps: 400,
        percent: 25,
        loss: 1.2346,
        summary: '25%',
      });
    } finally {
      await nc.close();
    }
  });
});
