import { CoreV1Api } from '@kubernetes/client-node';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';
import { createWorkerPod } from '../pods.js';
import { succeededStatus } from '../statuses.js';

describe('baclctl describe (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-describe');
    const job = await kube.createJob('done');
    await kube.writeStatus('done', succeededStatus());
    await kube.createJob('fresh');
    await createWorkerPod(kube, 'done', 'evaluate', 1, 0);
    await kube.cluster
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespacedEvent({
        namespace: kube.namespace,
        body: {
          metadata: { name: 'done.1' },
          involvedObject: {
            apiVersion: 'bacl.dev/v1alpha1',
            kind: 'BaclJob',
            name: 'done',
            namespace: kube.namespace,
            uid: job.metadata.uid,
          },
          type: 'Normal',
          reason: 'StageStarted',
          message: 'Started stage evaluate',
          source: { component: 'bacl-operator' },
          firstTimestamp: new Date(),
          lastTimestamp: new Date(),
        },
      });
  });

  const describeJob = (name: string) => runCommand(['describe', name, ...kube.target], { root: cliRoot });

  it('shows the spec, state, conditions, progress, checkpoint, AP per frequency group, pods and events', async function () {
    const { stdout, error } = await describeJob('done');
    expect(error).to.equal(undefined);
    const lines = stdout.split('\n');
    const line = (prefix: string) => lines.find((candidate) => candidate.startsWith(prefix));
    expect(line('Name:')).to.match(/^Name:\s+done$/);
    expect(line('Image:')).to.match(/^Image:\s+ghcr\.io\/bacl\/worker:/);
    expect(line('Workers:')).to.match(/1 node\(s\) x 1 GPU\(s\): 1 rank\(s\)$/);
    expect(line('Run policy:')).to.match(/backoffLimit 3, cleanPodPolicy Running$/);
    expect(line('State:')).to.match(/Succeeded \(stage evaluate, attempt 1, restarts 1\)$/);
    expect(line('Progress:')).to.contain('step 1000/1000 100% 312.5 img/s loss 0.8123');
    expect(line('Last checkpoint:')).to.match(
      /classifier step 400, \d+s ago: s3:\/\/bacl\/runs\/ns\/job\/uid\/classifier\/ckpt-400$/,
    );
    expect(stdout).to.match(/Succeeded\s+True\s+EvaluationDone\s+\d+s\s+LVIS AP written to status\.results/);
    expect(stdout).to.contain('  AP 26.31  AP50 43.12  AP75 -');
    expect(stdout).to.contain('  rare APr 18.74  common APc 25.33  frequent APf 30.12');
    expect(stdout).to.match(/done-eval-1-0\s+evaluate\s+1\s+0\s+Pending\s+<unscheduled>/);
    expect(stdout).to.match(/Normal\s+StageStarted\s+\d+s\s+bacl-operator\s+Started stage evaluate/);
  });

  it('prints <none> for what a new job does not have yet', async function () {
    const { stdout } = await describeJob('fresh');
    expect(stdout).to.match(/State:\s+Pending\n/);
    expect(stdout).to.match(/Progress:\s+<none>/);
    expect(stdout).to.contain('Results:\n  <none>');
    expect(stdout).to.contain('Events:\n  <none>');
  });

  it('answers a missing job with exit 3', async function () {
    const { error } = await describeJob('nope');
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.message).to.equal('bacljobs.bacl.dev "nope" not found');
  });
});
