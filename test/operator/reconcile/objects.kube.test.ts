import { expect } from 'chai';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { buildConfigMap, buildService, buildWorkerPod, observePod } from '../../../operator/internal.js';
import { sharedKube } from '../../harness/index.js';
import { job } from './fixtures.js';

const namespace = 'objects-test';

/** The builders' output is accepted by a real kube-apiserver, and observePod reads back what it stored. */
describe('operator/reconcile/objects on a real kube-apiserver', function () {
  this.timeout(240_000);
  let core: CoreV1Api;
  // The longest job name the CRD allows, and a large attempt: every derived name must still be valid.
  const longest = job({
    nodes: 2,
    gpusPerNode: 8,
    nats: { url: 'nats://n:4222', credentialsSecret: 'nats-creds' },
  });
  longest.metadata = { ...longest.metadata, name: `j${'x'.repeat(39)}`, namespace };

  before(async function () {
    const cluster = await sharedKube();
    core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  it('creates the ConfigMap, the headless Service and a worker pod', async function () {
    await core.createNamespacedConfigMap({ namespace, body: buildConfigMap(longest) });
    const service = await core.createNamespacedService({ namespace, body: buildService(longest) });
    expect(service.spec?.clusterIP).to.equal('None');
    const pod = await core.createNamespacedPod({
      namespace,
      body: buildWorkerPod(longest, { stage: 'evaluate', attempt: 2147483647, nodeRank: 0 }),
    });
    expect(pod.metadata?.name).to.have.length.at.most(63);
    expect(observePod(pod)).to.deep.equal({
      name: pod.metadata?.name,
      stage: 'evaluate',
      attempt: 2147483647,
      nodeRank: 0,
      phase: 'Pending',
      ready: false,
    });
  });

  it('observePod reads a failed container, as the kubelet reports it, into the failure reason', async function () {
    const created = await core.createNamespacedPod({
      namespace,
      body: buildWorkerPod(longest, { stage: 'representation', attempt: 0, nodeRank: 1 }),
    });
    const name = created.metadata?.name ?? '';
    const failed: V1Pod = {
      ...created,
      status: {
        phase: 'Failed',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'worker',
            image: longest.spec.image,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          },
        ],
      },
    };
    const stored = await core.replaceNamespacedPodStatus({ name, namespace, body: failed });
    expect(observePod(stored)).to.deep.equal({
      name,
      stage: 'representation',
      attempt: 0,
      nodeRank: 1,
      phase: 'Failed',
      ready: false,
      reason: 'OOMKilled (exit 137)',
      exitCode: 137,
    });
  });
});
