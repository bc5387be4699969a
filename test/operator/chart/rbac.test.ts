import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { main } from '../../../operator/internal.js';
import { makeWorkDir, startPodRunner, type PodRunner } from '../../harness/index.js';
import {
  createJob,
  getJob,
  newNamespace,
  podsOf,
  testWorld,
  waitFor,
  type TestWorld,
} from '../controller/env.js';
import { helmTemplate } from './helm.js';

const release = { name: 'bacl' };

/**
 * The chart's RBAC objects, rendered by helm (built by scripts/test-infra.sh): cluster-wide, or a Role in
 * `watchNamespace` when given.
 */
async function renderRbac(releaseNamespace: string, watchNamespace?: string): Promise<string> {
  const rendered = await helmTemplate(release.name, releaseNamespace, [
    '--show-only',
    'templates/rbac.yaml',
    ...(watchNamespace ? ['--set', `watchNamespace=${watchNamespace}`] : []),
  ]);
  expect(rendered).to.match(watchNamespace ? /kind: '?Role'?\n/ : /kind: '?ClusterRole'?\n/);
  if (watchNamespace) expect(rendered).to.not.match(/kind: '?ClusterRole/);
  return rendered;
}

describe('charts/bacl-operator RBAC on a real apiserver', function () {
  this.timeout(120_000);
  let w: TestWorld;
  let runner: PodRunner;

  before(async function () {
    w = await testWorld();
    runner = await startPodRunner(w.kubeConfig);
  });
  after(async function () {
    await runner?.stop();
  });

  for (const mode of ['ClusterRole', 'Role'] as const)
    it(`lets the operator, as the chart ServiceAccount, lead, run a job and delete it (${mode})`, async function () {
      await runsAJob(mode);
    });

  it('gives the built-in view and edit roles BaclJobs (the aggregated ClusterRoles)', async function () {
    const namespace = await newNamespace(w, 'rbac-users');
    const rendered = await helmTemplate(release.name, 'bacl-system', [
      '--show-only',
      'templates/aggregate-roles.yaml',
    ]);
    const applied = await w.cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: rendered });
    expect(applied.code, applied.stderr).to.equal(0);
    const bind = (user: string, role: string) =>
      w.cluster.kubectl([
        'create',
        'rolebinding',
        `${user}-${role}`,
        '-n',
        namespace,
        '--clusterrole',
        role,
        '--user',
        user,
      ]);
    for (const made of [
      await bind('viewer', 'bacl-bacljobs-view'),
      await bind('editor', 'bacl-bacljobs-view'),
      await bind('editor', 'bacl-bacljobs-edit'),
    ])
      expect(made.code, made.stderr).to.equal(0);
    const can = async (user: string, verb: string) => {
      const result = await w.cluster.kubectl([
        'auth',
        'can-i',
        verb,
        'bacljobs.bacl.dev',
        '-n',
        namespace,
        '--as',
        user,
      ]);
      return result.stdout.trim();
    };
    expect(await can('viewer', 'list')).to.equal('yes');
    expect(await can('viewer', 'create')).to.equal('no');
    expect(await can('editor', 'create')).to.equal('yes');
    expect(await can('editor', 'delete')).to.equal('yes');
    expect(await can('nobody', 'list')).to.equal('no');
  });

  async function runsAJob(mode: 'ClusterRole' | 'Role') {
    const system = await newNamespace(w, 'bacl-system');
    const jobs = await newNamespace(w, 'rbac-jobs');
    await w.core.createNamespacedServiceAccount({
      namespace: system,
      body: { metadata: { name: release.name } },
    });
    const applied = await w.cluster.kubectl(['apply', '--server-side', '-f', '-'], {
      input: await renderRbac(system, mode === 'Role' ? jobs : undefined),
    });
    expect(applied.code, applied.stderr).to.equal(0);
    const token = await w.core.createNamespacedServiceAccountToken({
      namespace: system,
      name: release.name,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const kubeconfig = join(makeWorkDir('rbac'), 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'c', cluster: { server: w.cluster.server, 'certificate-authority': w.cluster.pki.caCert } },
        ],
        users: [{ name: 'sa', user: { token: token.status?.token } }],
        contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa' } }],
        'current-context': 'sa',
      }),
    );

    const stop = new AbortController();
    const logs: string[] = [];
    const args = ['--kubeconfig', kubeconfig, '--leader-elect', '--leader-election-namespace', system];
    args.push('--metrics-addr', '0', '--health-addr', '0');
    if (mode === 'Role') args.push('--namespace', jobs);
    const exited = main(
      args,
      { stdout: () => undefined, stderr: (text) => logs.push(text) },
      {
        signal: stop.signal,
        controller: { workerCommand: ['/bin/sh', '-c', 'exec sleep 60'] },
        lease: { retryPeriodMs: 200 },
      },
    );
    try {
      await createJob(w, jobs, 'rbac');
      await waitFor(
        'the job to run',
        async () => (await getJob(w, jobs, 'rbac'))?.status?.state === 'Running',
        {
          last: () => Promise.resolve(logs.join('')),
        },
      );
      await w.custom.deleteNamespacedCustomObject({
        group: 'bacl.dev',
        version: 'v1alpha1',
        plural: 'bacljobs',
        namespace: jobs,
        name: 'rbac',
      });
      await waitFor('the job and its pods to be gone', async () => {
        return (await getJob(w, jobs, 'rbac')) === undefined && (await podsOf(w, jobs, 'rbac')).length === 0;
      });
    } finally {
      stop.abort();
    }
    expect(await exited, logs.join('')).to.equal(0);
    expect(logs.join('')).to.not.match(/forbidden/i);
    // Least privilege: the Role reaches the watched namespace only; the ClusterRole every namespace.
    const elsewhere = await w.cluster.kubectl([
      'auth', 'can-i', 'list', 'bacljobs.bacl.dev', '-n', system, '--as', `system:serviceaccount:${system}:${release.name}`,
    ]); // prettier-ignore
    expect(elsewhere.stdout.trim()).to.equal(mode === 'Role' ? 'no' : 'yes');
  }
});
