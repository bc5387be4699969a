import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';

describe('baclctl suspend / resume (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-suspend');
    await kube.createJob('paused');
  });

  const run = (...args: string[]) => runCommand([...args, ...kube.target], { root: cliRoot });

  it('suspend sets spec.runPolicy.suspend, and says "(no change)" the second time', async function () {
    const first = await run('suspend', 'paused');
    expect(first.error).to.equal(undefined);
    expect(first.stdout.trim()).to.equal('bacljob.bacl.dev/paused suspended');
    expect((await kube.getJob('paused')).spec.runPolicy.suspend).to.equal(true);
    const again = await run('suspend', 'paused');
    expect(again.stdout.trim()).to.equal('bacljob.bacl.dev/paused suspended (no change)');
  });

  it('resume clears it and keeps the rest of the run policy', async function () {
    const previous = await kube.getJob('paused');
    const { stdout, error } = await run('resume', 'paused');
    expect(error).to.equal(undefined);
    expect(stdout.trim()).to.equal('bacljob.bacl.dev/paused resumed');
    const after = await kube.getJob('paused');
    expect(after.spec.runPolicy).to.deep.equal({ ...previous.spec.runPolicy, suspend: false });
  });

  it('answers a missing job with exit 3', async function () {
    expect((await run('suspend', 'nope')).error?.oclif?.exit).to.equal(3);
    expect((await run('resume', 'nope')).error?.oclif?.exit).to.equal(3);
  });
});
