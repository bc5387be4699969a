import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';
import { createWorkerPod } from '../pods.js';
import { runningStatus } from '../statuses.js';

// Pods here are on no node (nothing binds them), so the API server answers pods/log with HTTP 204 (no
// content). These tests verify which pod `logs` asks for (chosen through the real label query on the real
// server; the refusal names it) and how that refusal reaches the user. Streaming real lines is tested end to
// end in logs-follow.test.ts, with the harness's pod runner serving the logs as a kubelet.
describe('baclctl logs (real kube-apiserver, pods on no node)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-logs');
    await kube.createJob('trained', { nodes: 2, gpusPerNode: 2 });
    await kube.writeStatus('trained', runningStatus());
    await createWorkerPod(kube, 'trained', 'representation', 0, 0);
    await createWorkerPod(kube, 'trained', 'classifier', 1, 0);
    await createWorkerPod(kube, 'trained', 'classifier', 1, 1);
    await kube.createJob('unstarted');
  });

  const logs = (...args: string[]) => runCommand(['logs', ...args, ...kube.target], { root: cliRoot });
  const askedFor = (message: string | undefined) =>
    /^pod (\S+) has no log to read yet/.exec(message ?? '')?.[1];

  it("asks for rank 0's pod of the current stage, and reports that it has no log yet (exit 3, NO_LOGS)", async function () {
    const { error } = await logs('trained', '-f', '--tail', '10');
    expect(askedFor(error?.message)).to.equal('trained-cls-1-0');
    expect(error?.code).to.equal('NO_LOGS');
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.message).to.match(/\(HTTP 204\)$/); // what kube-apiserver 1.35 answers for a pod on no node
  });

  it('--rank 3 (2 GPUs per node) asks for node rank 1; --stage representation for that group', async function () {
    expect(askedFor((await logs('trained', '--rank', '3')).error?.message)).to.equal('trained-cls-1-1');
    expect(askedFor((await logs('trained', '--stage', 'representation')).error?.message)).to.equal(
      'trained-rep-0-0',
    );
  });

  it('answers a job without pods and a missing job with exit 3', async function () {
    const none = await logs('unstarted');
    expect(none.error?.oclif?.exit).to.equal(3);
    expect(none.error?.message).to.equal('bacljob unstarted has no worker pods yet');
    expect((await logs('nope')).error?.oclif?.exit).to.equal(3);
  });

  it('refuses --rank with --all as a usage error', async function () {
    expect((await logs('trained', '--rank', '1', '--all')).error?.oclif?.exit).to.equal(2);
  });
});
