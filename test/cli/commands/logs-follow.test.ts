import { runCommand } from '@oclif/test';
import { CoreV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { startPodRunner, waitFor, type PodRunner } from '../../harness/index.js';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';
import { runningStatus } from '../statuses.js';

// End to end through the API server's pods/log proxy: the harness's pod runner runs the worker pods' commands
// and serves their output on its kubelet port, as a node would.
describe('baclctl logs (real kube-apiserver + pod runner)', function () {
  this.timeout(120_000);
  let kube: CliKube;
  let runner: PodRunner;

  before(async function () {
    kube = await cliKube('cli-logs-run');
    runner = await startPodRunner(kube.cluster.kubeConfig(), { namespaces: [kube.namespace] });
    await kube.createJob('talker', { nodes: 2, gpusPerNode: 1 });
    await kube.writeStatus('talker', runningStatus());
    const core = kube.cluster.kubeConfig().makeApiClient(CoreV1Api);
    for (const nodeRank of [0, 1]) {
      await core.createNamespacedPod({
        namespace: kube.namespace,
        body: {
          metadata: {
            name: `talker-cls-1-${nodeRank}`,
            labels: {
              'bacl.dev/job': 'talker',
              'bacl.dev/stage': 'classifier',
              'bacl.dev/attempt': '1',
              'bacl.dev/node-rank': String(nodeRank),
            },
          },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'worker',
                image: 'ghcr.io/bacl/worker:test',
                command: [
                  '/bin/sh',
                  '-c',
                  `for i in 1 2 3; do echo "node ${nodeRank} step $i"; sleep 0.2; done`,
                ],
              },
            ],
          },
        },
      });
    }
    // logs reads a running (or finished) container; wait until the runner has started both.
    for (const nodeRank of [0, 1]) {
      const name = `talker-cls-1-${nodeRank}`;
      await waitFor(`${name} started`, async () => {
        const { status } = await core.readNamespacedPod({ name, namespace: kube.namespace });
        return status?.phase === 'Running' || status?.phase === 'Succeeded';
      });
    }
  });

  after(async function () {
    await runner?.stop();
  });

  it('-f streams rank 0 until its container exits', async function () {
    const { stdout, error } = await runCommand(['logs', 'talker', '-f', ...kube.target], { root: cliRoot });
    expect(error).to.equal(undefined);
    expect(stdout).to.equal('node 0 step 1\nnode 0 step 2\nnode 0 step 3\n');
  });

  it('--rank 1 --tail 1 reads the last line of the second node once it has finished', async function () {
    const core = kube.cluster.kubeConfig().makeApiClient(CoreV1Api);
    await waitFor('talker-cls-1-1 finished', async () => {
      const { status } = await core.readNamespacedPod({ name: 'talker-cls-1-1', namespace: kube.namespace });
      return status?.phase === 'Succeeded';
    });
    const { stdout, error } = await runCommand(
      ['logs', 'talker', '--rank', '1', '--tail', '1', ...kube.target],
      {
        root: cliRoot,
      },
    );
    expect(error).to.equal(undefined);
    expect(stdout).to.equal('node 1 step 3\n');
  });
});
