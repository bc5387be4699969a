import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { parseOperatorFlags } from '../../../operator/internal.js';
import { makeWorkDir, sharedKube, type KubeCluster } from '../../harness/index.js';
import { chartDir, helm, helmTemplate, manifests, only, type Manifest } from './helm.js';

interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: {
    args?: string[];
    securityContext?: Record<string, unknown>;
    livenessProbe?: { httpGet?: { path: string } };
    readinessProbe?: { httpGet?: { path: string } };
    resources?: Record<string, unknown>;
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  }[];
  volumes?: { name: string; emptyDir?: object; secret?: object }[];
}
const podSpecOf = (deployment: Manifest) =>
  (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

/** Every optional part on: NATS, a ServiceMonitor, namespace-scoped RBAC, an in-cluster S3 for the policy. */
function nonDefaultValues(watchNamespace: string, serviceMonitor: boolean): string {
  const file = join(makeWorkDir('chart-values'), 'values.yaml');
  writeFileSync(
    file,
    stringify({
      watchNamespace,
      replicaCount: 2,
      image: { repository: 'registry.local/bacl/operator', tag: 'dev' },
      nats: { enabled: true },
      metrics: { serviceMonitor: { enabled: serviceMonitor, labels: { release: 'prometheus' } } },
      networkPolicy: {
        s3: {
          cidrs: ['10.0.0.0/8'],
          podSelector: { matchLabels: { app: 's3' } },
          ports: [{ port: 7070, protocol: 'TCP' }],
        },
      },
    }),
  );
  return file;
}

/** Applies with server-side dry run: the apiserver validates every object (schema, admission) and stores none. */
async function dryRunApply(cluster: KubeCluster, rendered: string) {
  return cluster.kubectl(
    ['apply', '--server-side', '--dry-run=server', '--field-manager=helm-test', '-f', '-'],
    {
      input: rendered,
    },
  );
}

async function createNamespace(cluster: KubeCluster, name: string, labels: Record<string, string> = {}) {
  const made = await cluster.kubectl(['apply', '--server-side', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }),
  });
  expect(made.code, made.stderr).to.equal(0);
}

// The chart through the real helm (built from its Go module by scripts/test-infra.sh) and the real apiserver.
describe('charts/bacl-operator with helm', function () {
  this.timeout(180_000);

  it('passes helm lint --strict with the default and with non-default values', async function () {
    const plain = await helm(['lint', '--strict', chartDir]);
    expect(plain.code, plain.stdout + plain.stderr).to.equal(0);
    const everything = await helm(['lint', '--strict', chartDir, '-f', nonDefaultValues('team-a', true)]);
    expect(everything.code, everything.stdout + everything.stderr).to.equal(0);
  });

  it('renders cluster-wide by default and namespace-scoped with watchNamespace', async function () {
    const wide = manifests(await helmTemplate('bacl', 'bacl-system'));
    expect(wide.map((m) => m.kind)).to.include.members([
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Service',
      'NetworkPolicy',
    ]);
    expect(only(wide, 'NetworkPolicy').metadata.namespace, 'worker pods in the release namespace').to.equal(
      'bacl-system',
    );
    expect(
      wide.map((m) => m.kind),
      'NATS and the ServiceMonitor are off by default',
    ).to.not.include.members(['StatefulSet', 'ServiceMonitor']);
    const scoped = manifests(await helmTemplate('bacl', 'bacl-system', ['--set', 'watchNamespace=team-a']));
    expect(only(scoped, 'Role', 'bacl').metadata.namespace).to.equal('team-a');
    expect(only(scoped, 'RoleBinding', 'bacl').metadata.namespace).to.equal('team-a');
    expect(scoped.filter((m) => m.kind === 'ClusterRoleBinding')).to.deep.equal([]);
    expect(podSpecOf(only(scoped, 'Deployment')).containers[0]?.args).to.include('--namespace=team-a');
    expect(only(scoped, 'NetworkPolicy').metadata.namespace).to.equal('team-a');
  });

  it('runs the operator under the restricted pod security settings, with probes and resources', async function () {
    const pod = podSpecOf(only(manifests(await helmTemplate('bacl', 'bacl-system')), 'Deployment'));
    expect(pod.securityContext).to.deep.include({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext?.runAsUser).to.be.a('number').above(0);
    const [container] = pod.containers;
    expect(container?.securityContext).to.deep.equal({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // With a read-only root, /tmp is the only writable place, and it is an emptyDir.
    expect(container?.volumeMounts).to.deep.equal([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes?.find((volume) => volume.name === 'tmp')?.emptyDir).to.not.equal(undefined);
    expect(container?.livenessProbe?.httpGet?.path).to.equal('/healthz');
    expect(container?.readinessProbe?.httpGet?.path).to.equal('/readyz');
    expect(container?.resources).to.deep.equal({
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
  });

  it("passes the operator its worker defaults, NATS defaulting to the chart's own", async function () {
    const args = async (extra: string[]) =>
      podSpecOf(only(manifests(await helmTemplate('bacl', 'bacl', extra)), 'Deployment')).containers[0]?.args;
    expect(await args([])).to.include.members([
      '--worker-image=ghcr.io/bacl/worker:0.1.0',
      '--nats-url=',
      '--nats-credentials-secret=',
      '--s3-endpoint=',
      '--s3-credentials-secret=bacl-s3',
    ]);
    expect(await args(['--set', 'nats.enabled=true'])).to.include(
      '--nats-url=nats://bacl-nats.bacl.svc:4222',
    );
    expect(
      await args([
        '--set', 'nats.enabled=true', '--set', 'workerDefaults.nats.url=tls://nats.example:4222',
        '--set', 'workerDefaults.nats.credentialsSecret=nats-creds', '--set', 'workerDefaults.image.tag=dev',
        '--set', 'workerDefaults.s3.endpoint=http://s3.bacl.svc:7070',
      ]), // prettier-ignore
    ).to.include.members([
      '--worker-image=ghcr.io/bacl/worker:dev',
      '--nats-url=tls://nats.example:4222',
      '--nats-credentials-secret=nats-creds',
      '--s3-endpoint=http://s3.bacl.svc:7070',
    ]);
    // What bacl-operator itself makes of the rendered flags (the chart and the operator agree on names).
    expect(
      parseOperatorFlags((await args(['--set', 'nats.enabled=true'])) ?? []).workerDefaults,
    ).to.deep.equal({
      image: 'ghcr.io/bacl/worker:0.1.0',
      natsUrl: 'nats://bacl-nats.bacl.svc:4222',
      s3CredentialsSecret: 'bacl-s3',
    });
  });

  it('mounts the NATS signing key and the operator credentials as files, and may create (never read) Secrets, with per-job NATS users', async function () {
    const account = 'ADSILFOKOC44YIMERYQPWYIPZDWNZLG4BGYAGVIKZFLHLXTWPCLHGJXD';
    const secretRules = (rendered: Manifest[]) =>
      (
        (
          only(rendered, 'ClusterRole', 'bacl') as unknown as {
            rules: { resources: string[]; verbs: string[] }[];
          }
        ).rules ?? []
      ).filter((rule) => rule.resources.includes('secrets'));
    const plain = manifests(await helmTemplate('bacl', 'bacl', ['--set', 'nats.enabled=true']));
    expect(podSpecOf(only(plain, 'Deployment')).volumes?.map((v) => v.name)).to.deep.equal(['tmp']);
    expect(secretRules(plain).flatMap((rule) => rule.verbs)).to.not.include('create');
    const rendered = manifests(
      await helmTemplate('bacl', 'bacl', [
        '--set', 'nats.enabled=true', '--set', 'workerDefaults.nats.jwt.signingKeySecret=bacl-nats-signing',
        '--set', `workerDefaults.nats.jwt.account=${account}`,
        '--set', 'workerDefaults.nats.jwt.operatorCredentialsSecret=bacl-nats-operator',
        '--set', 'workerDefaults.nats.jwt.rotationDays=7',
      ]), // prettier-ignore
    );
    const pod = podSpecOf(only(rendered, 'Deployment'));
    expect(pod.volumes).to.deep.include.members([
      {
        name: 'nats-signing',
        secret: { secretName: 'bacl-nats-signing', items: [{ key: 'seed', path: 'seed' }] },
      },
      {
        name: 'nats-operator',
        secret: { secretName: 'bacl-nats-operator', items: [{ key: 'nats.creds', path: 'nats.creds' }] },
      },
    ]);
    expect(pod.containers[0]?.volumeMounts).to.deep.include.members([
      { name: 'nats-signing', mountPath: '/etc/bacl/nats-signing', readOnly: true },
      { name: 'nats-operator', mountPath: '/etc/bacl/nats-operator', readOnly: true },
    ]);
    // What bacl-operator makes of the rendered flags.
    expect(parseOperatorFlags(pod.containers[0]?.args ?? []).natsMinting).to.deep.equal({
      signingKeyFile: '/etc/bacl/nats-signing/seed',
      account,
      credentialsFile: '/etc/bacl/nats-operator/nats.creds',
      periodSeconds: 7 * 24 * 3600,
    });
    expect(secretRules(rendered)).to.deep.include({
      apiGroups: [''],
      resources: ['secrets'],
      verbs: ['create'],
    });
  });

  it('adds BaclJobs to the built-in view, edit and admin roles', async function () {
    const rendered = manifests(await helmTemplate('bacl', 'bacl-system'));
    const view = only(rendered, 'ClusterRole', 'bacl-bacljobs-view');
    const edit = only(rendered, 'ClusterRole', 'bacl-bacljobs-edit');
    for (const role of ['view', 'edit', 'admin'])
      expect(view.metadata.labels?.[`rbac.authorization.k8s.io/aggregate-to-${role}`], role).to.equal('true');
    expect(edit.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-view']).to.equal(undefined);
    expect(edit.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-edit']).to.equal('true');
    const off = manifests(await helmTemplate('bacl', 'bacl-system', ['--set', 'rbac.aggregate=false']));
    expect(off.filter((m) => m.metadata.name.startsWith('bacl-bacljobs-'))).to.deep.equal([]);
  });

  it('installs NATS with max_payload 8MB and no JetStream, and a ServiceMonitor, when asked', async function () {
    const rendered = manifests(await helmTemplate('bacl', 'bacl', ['-f', nonDefaultValues('team-a', true)]));
    const config = only(rendered, 'ConfigMap', 'bacl-nats-config') as unknown as {
      data: Record<string, string>;
    };
    const natsConf = config.data['nats.conf'] ?? '';
    expect(natsConf).to.match(/"max_payload": 8MB/);
    expect(natsConf).to.not.match(/jetstream/i);
    expect(only(rendered, 'StatefulSet', 'bacl-nats')).to.be.an('object');
    expect(
      rendered.filter((m) => m.metadata.name.includes('nats-box')),
      'no nats-box',
    ).to.deep.equal([]);
    const monitor = only(rendered, 'ServiceMonitor', 'bacl');
    expect(monitor.metadata.labels?.release).to.equal('prometheus');
    expect(only(rendered, 'Deployment').metadata.namespace).to.equal('bacl');
  });

  it('lets worker pods reach only NATS, S3 and DNS', async function () {
    const rendered = manifests(await helmTemplate('bacl', 'bacl', ['-f', nonDefaultValues('team-a', false)]));
    const policy = only(rendered, 'NetworkPolicy') as unknown as {
      metadata: { namespace: string };
      spec: { podSelector: object; policyTypes: string[]; egress: { to: object[]; ports: object[] }[] };
    };
    expect(policy.metadata.namespace).to.equal('team-a');
    expect(policy.spec.podSelector).to.deep.equal({
      matchLabels: { 'app.kubernetes.io/name': 'bacl-worker' },
    });
    expect(policy.spec.policyTypes).to.deep.equal(['Egress']);
    expect(policy.spec.egress).to.deep.equal([
      {
        to: [
          {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bacl' } },
          },
        ],
        ports: [{ port: 4222, protocol: 'TCP' }],
      },
      {
        to: [
          { ipBlock: { cidr: '10.0.0.0/8' } },
          {
            podSelector: { matchLabels: { app: 's3' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bacl' } },
          },
        ],
        ports: [{ port: 7070, protocol: 'TCP' }],
      },
      {
        to: [
          {
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          },
        ],
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
    ]);
    // An S3 rule with no peer would allow every destination: the chart refuses to render it.
    const open = await helm([
      'template',
      'bacl',
      chartDir,
      '--kube-version',
      '1.35.4',
      '--set',
      'networkPolicy.s3.cidrs=null',
    ]);
    expect(open.code).to.not.equal(0);
    expect(open.stderr).to.contain('networkPolicy.s3 needs cidrs or a podSelector');
    const several = manifests(
      await helmTemplate('bacl', 'bacl', ['--set', 'networkPolicy.namespaces={team-a,team-b}']),
    );
    expect(several.filter((m) => m.kind === 'NetworkPolicy').map((m) => m.metadata.namespace)).to.deep.equal([
      'team-a',
      'team-b',
    ]);
    const none = manifests(await helmTemplate('bacl', 'bacl', ['--set', 'networkPolicy.enabled=false']));
    expect(none.map((m) => m.kind)).to.not.include('NetworkPolicy');
  });

  it('refuses values that break values.schema.json, naming the value', async function () {
    const refused = async (set: string) => {
      const result = await helm(['template', 'bacl', chartDir, '--kube-version', '1.35.4', '--set', set]);
      expect(result.code, set).to.not.equal(0);
      expect(result.stderr, set).to.match(/values don't meet the specifications of the schema/i);
      return result.stderr;
    };
    expect(await refused('replicaCount=-1')).to.contain('replicaCount');
    expect(await refused('networkPolicy.s3.cidrs={10.0.0.0}')).to.contain(
      "at '/networkPolicy/s3/cidrs/0': '10.0.0.0' does not match pattern",
    );
    expect(await refused('metrics.serviceMonitor.interval=often')).to.contain(
      "at '/metrics/serviceMonitor/interval': 'often' does not match pattern",
    );
    expect(await refused('image.tags=1.0')).to.contain(
      "at '/image': additional properties 'tags' not allowed",
    );
    expect(await refused('workerDefaults.nats.url=nats.bacl:4222')).to.contain(
      "at '/workerDefaults/nats/url': 'nats.bacl:4222' does not match pattern",
    );
    expect(await refused('nats.enabled=yes')).to.contain("at '/nats/enabled': got string, want boolean");
  });

  it('renders manifests the real apiserver accepts (server-side dry run), default and non-default', async function () {
    const cluster = await sharedKube();
    const suffix = randomBytes(3).toString('hex');
    const release = `bacl-${suffix}`;
    const jobs = `team-${suffix}`;
    await createNamespace(cluster, release);
    await createNamespace(cluster, jobs);
    for (const rendered of [
      await helmTemplate(release, release),
      await helmTemplate(release, release, ['-f', nonDefaultValues(jobs, false)]),
    ]) {
      const applied = await dryRunApply(cluster, rendered);
      expect(applied.code, applied.stderr).to.equal(0);
      expect(applied.stdout).to.match(/deployment\.apps\/bacl-\w+ serverside-applied \(server dry run\)/);
    }
  });

  it('its operator pod passes the restricted Pod Security Standard on the real apiserver', async function () {
    const cluster = await sharedKube();
    const namespace = `restricted-${randomBytes(3).toString('hex')}`;
    await createNamespace(cluster, namespace, { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const deployment = only(manifests(await helmTemplate('bacl', namespace)), 'Deployment');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bacl-operator', namespace } };
    const admitted = await dryRunApply(cluster, JSON.stringify({ ...pod, spec: podSpecOf(deployment) }));
    expect(admitted.code, admitted.stderr).to.equal(0);
    // The same pod without the chart's settings is refused: the namespace really enforces the standard.
    const spec = podSpecOf(deployment);
    const bare = {
      ...spec,
      securityContext: {},
      containers: spec.containers.map((c) => ({ ...c, securityContext: {} })),
    };
    const refused = await dryRunApply(cluster, JSON.stringify({ ...pod, spec: bare }));
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.match(/violates PodSecurity "restricted/);
  });

  it('installs into the real apiserver: every object is accepted and created', async function () {
    const cluster = await sharedKube();
    const namespace = `helm-${randomBytes(3).toString('hex')}`;
    const result = await helm([
      'install', 'bacl', chartDir, '-n', namespace, '--create-namespace', '--kubeconfig', cluster.kubeconfigPath,
      '--set', `watchNamespace=${namespace}`,
    ]); // prettier-ignore
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout, 'NOTES.txt').to.contain('baclctl submit tiny --nodes 2 --gpus 0');
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
