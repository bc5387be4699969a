import type { ApiException } from '@kubernetes/client-node';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';

const group = 'bacl.dev';
const version = 'v1alpha1';
const plural = 'bacljobs';

describe('baclctl delete (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-delete');
  });

  const del = (...args: string[]) => runCommand(['delete', ...args, ...kube.target], { root: cliRoot });
  /** The operator's finalizer, put on by hand: no operator runs here, so the object stays Terminating. */
  const holdWithFinalizer = (name: string) =>
    kube.objects.patchNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: kube.namespace,
      name,
      body: [{ op: 'add', path: '/metadata/finalizers', value: ['bacl.dev/cleanup'] }],
    });
  const release = (name: string) =>
    kube.objects.patchNamespacedCustomObject({
      group,
      version,
      plural,
      namespace: kube.namespace,
      name,
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });

  it('deletes the job', async function () {
    await kube.createJob('plain');
    const { stdout, error } = await del('plain');
    expect(error).to.equal(undefined);
    expect(stdout.trim()).to.equal('bacljob.bacl.dev "plain" deleted');
    const gone = await kube.getJob('plain').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect((gone as ApiException<unknown>).code).to.equal(404);
  });

  it('--purge-checkpoints sets spec.runPolicy.deleteRunDataOnDelete before deleting, for the finalizer', async function () {
    await kube.createJob('purged');
    await holdWithFinalizer('purged');
    const { stdout, error } = await del('purged', '--purge-checkpoints');
    expect(error).to.equal(undefined);
    expect(stdout.trim()).to.equal('bacljob.bacl.dev "purged" deleted (with its S3 run data)');
    const terminating = await kube.getJob('purged');
    expect(terminating.metadata.deletionTimestamp).to.be.a('string');
    expect(terminating.spec.runPolicy.deleteRunDataOnDelete).to.equal(true);
    await release('purged');
  });

  it('without --purge-checkpoints leaves the run data to outlive the job', async function () {
    await kube.createJob('kept');
    await holdWithFinalizer('kept');
    await del('kept');
    expect((await kube.getJob('kept')).spec.runPolicy.deleteRunDataOnDelete).to.equal(false);
    await release('kept');
  });

  it('answers a missing job with exit 3', async function () {
    const { error } = await del('nope', '--purge-checkpoints');
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.message).to.equal('bacljobs.bacl.dev "nope" not found');
  });
});
