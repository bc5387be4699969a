import { randomBytes } from 'node:crypto';
import { AppsV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { sharedKube } from '../../harness/index.js';
import { chartDir, helm, helmTemplate } from './helm.js';

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } };
}

const kinds = (text: string) => parseAllDocuments(text).map((doc) => (doc.toJS() as Manifest).kind);

// The chart through the real helm (built from its Go module by scripts/test-infra.sh) and the real apiserver.
describe('charts/bacl-operator with helm', function () {
  this.timeout(120_000);

  it('passes helm lint --strict', async function () {
    const result = await helm(['lint', '--strict', chartDir]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
  });

  it('renders cluster-wide by default and namespace-scoped with watchNamespace', async function () {
    const wide = await helmTemplate('bacl', 'bacl-system');
    expect(kinds(wide)).to.include.members([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
    ]);
    const scoped = await helmTemplate('bacl', 'bacl-system', ['--set', 'watchNamespace=team-a']);
    expect(kinds(scoped)).to.not.include('ClusterRole');
    expect(kinds(scoped)).to.include('Role');
    const deployment = parseAllDocuments(scoped)
      .map((doc) => doc.toJS() as Manifest)
      .find((manifest) => manifest.kind === 'Deployment');
    expect(deployment?.spec?.template?.spec?.containers?.[0]?.args?.join(' ')).to.contain('team-a');
  });

  it('refuses values that break values.schema.json', async function () {
    const result = await helm([
      'template',
      'bacl',
      chartDir,
      '--kube-version',
      '1.35.4',
      '--set',
      'replicaCount=-1',
    ]);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.match(/values don't meet the specifications of the schema/i);
    expect(result.stderr).to.contain('replicaCount');
  });

  it('installs into the real apiserver: every object is accepted and created', async function () {
    const cluster = await sharedKube();
    const namespace = `helm-${randomBytes(3).toString('hex')}`;
    const result = await helm([
      'install', 'bacl', chartDir, '-n', namespace, '--create-namespace', '--kubeconfig', cluster.kubeconfigPath,
      '--set', `watchNamespace=${namespace}`,
    ]); // prettier-ignore
    expect(result.code, result.stderr).to.equal(0);
    const deployment = await cluster
      .kubeConfig()
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'bacl', namespace });
    expect(deployment.spec?.template.spec?.serviceAccountName).to.equal('bacl');
    const uninstalled = await helm([
      'uninstall',
      'bacl',
      '-n',
      namespace,
      '--kubeconfig',
      cluster.kubeconfigPath,
    ]);
    expect(uninstalled.code, uninstalled.stderr).to.equal(0);
  });
});
