import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';
import { failedStatus, runningStatus, succeededStatus } from '../statuses.js';

describe('baclctl wait (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-wait');
    for (const name of ['done', 'broken', 'slow', 'watched', 'stuck']) await kube.createJob(name);
    await kube.writeStatus('done', succeededStatus());
    await kube.writeStatus('broken', failedStatus());
    await kube.writeStatus('slow', runningStatus());
  });

  const wait = (...args: string[]) => runCommand(['wait', ...args, ...kube.target], { root: cliRoot });

  it('exits 0 at once when the condition already holds, and says so', async function () {
    const { stdout, error } = await wait('done', '--for=Succeeded');
    expect(error).to.equal(undefined);
    expect(stdout.trim()).to.equal('bacljob.bacl.dev/done condition met: Succeeded');
  });

  it('follows progress written through /status (plain lines without a TTY) until the job succeeds', async function () {
    const waiting = wait('watched', '--for=Succeeded');
    await kube.writeStatus('watched', runningStatus(420));
    await kube.writeStatus('watched', succeededStatus());
    const { stdout, stderr, error } = await waiting;
    expect(error).to.equal(undefined);
    expect(stdout.trim()).to.equal('bacljob.bacl.dev/watched condition met: Succeeded');
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).to.match(/^watched: Succeeded classifier epoch 3 step 1000\/1000 100%/);
    expect(stderr).to.not.include('\r').and.not.include('\u001b');
  });

  it('exits 1 (JOB_FAILED) with the reason when the job failed instead', async function () {
    const { error } = await wait('broken', '--for=Succeeded');
    expect(error?.oclif?.exit).to.equal(1);
    expect(error?.code).to.equal('JOB_FAILED');
    expect(error?.message).to.equal(
      'bacljob cli-wait/broken will never be Succeeded: the job failed (BackoffLimitExceeded: rank 3 OOMKilled after 3 restarts)',
    );
  });

  it('waits for any condition: --for=Failed on a failed job, condition=Running on a running one', async function () {
    expect((await wait('broken', '--for=Failed')).error).to.equal(undefined);
    expect((await wait('slow', '--for=condition=Running')).error).to.equal(undefined);
  });

  it('exits 1 (TIMEOUT) when --timeout passes first', async function () {
    const { error } = await wait('stuck', '--for=Succeeded', '--timeout=1s');
    expect(error?.oclif?.exit).to.equal(1);
    expect(error?.code).to.equal('TIMEOUT');
    expect(error?.message).to.equal('timed out after 1s waiting for Succeeded on bacljob cli-wait/stuck');
  });

  it('answers an unknown --for with exit 2 and a missing job with exit 3', async function () {
    expect((await wait('slow', '--for=Done')).error?.oclif?.exit).to.equal(2);
    expect((await wait('slow', '--for=Succeeded', '--timeout=soon')).error?.oclif?.exit).to.equal(2);
    const missing = await wait('nope', '--for=Succeeded');
    expect(missing.error?.oclif?.exit).to.equal(3);
  });
});
