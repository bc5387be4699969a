import { expect } from 'chai';
import {
  ApiException,
  ApiextensionsV1Api,
  CustomObjectsApi,
  VersionApi,
  Watch,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import type { KubeCluster } from './kube.js';
import { sharedKube } from './servers.js';
import { waitFor } from './wait.js';

const group = 'smoke.bacl.dev';
const version = 'v1';
const plural = 'widgets';
const namespace = 'default';

/** A CRD with what BaclJob will lean on: a CEL rule, the status subresource and printer columns. */
const widgetCrd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural, singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['replicas', 'maxReplicas'],
                properties: { replicas: { type: 'integer' }, maxReplicas: { type: 'integer' } },
                // client-node's typed models name it x_kubernetes_validations and silently drop unknown keys: a raw
                // 'x-kubernetes-validations' key here would create the CRD without its rule.
                x_kubernetes_validations: [
                  {
                    rule: 'self.replicas <= self.maxReplicas',
                    message: 'replicas must not exceed maxReplicas',
                  },
                ],
              },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; resourceVersion?: string };
  spec: { replicas: number; maxReplicas: number };
  status?: { phase?: string };
}

const widget = (name: string, replicas: number, maxReplicas: number): Widget => ({
  apiVersion: `${group}/${version}`,
  kind: 'Widget',
  metadata: { name },
  spec: { replicas, maxReplicas },
});

describe('harness: kube-apiserver + etcd', function () {
  this.timeout(240_000);
  let cluster: KubeCluster;
  let objects: CustomObjectsApi;

  before(async function () {
    cluster = await sharedKube();
    const config = cluster.kubeConfig();
    objects = config.makeApiClient(CustomObjectsApi);
    await installCrd(config.makeApiClient(ApiextensionsV1Api), widgetCrd);
  });

  it('is the version built by scripts/test-infra.sh', async function () {
    const info = await cluster.kubeConfig().makeApiClient(VersionApi).getCode();
    expect(info.gitVersion).to.equal(cluster.versions.kubeApiserver);
  });

  it('refuses an object that breaks the CRD CEL rule with HTTP 422 and the rule message', async function () {
    const failure = await objects
      .createNamespacedCustomObject({ group, version, namespace, plural, body: widget('too-many', 5, 2) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).to.be.instanceOf(ApiException);
    const apiError = failure as ApiException<unknown>;
    expect(apiError.code).to.equal(422);
    expect(String(apiError.body)).to.contain('replicas must not exceed maxReplicas');
  });

  it('writes status only through the /status subresource', async function () {
    await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: widget('with-status', 1, 3),
    });
    const current = (await objects.getNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: 'with-status',
    })) as Widget;

    // Through the main resource the status stanza is ignored...
    const viaMain = (await objects.replaceNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: 'with-status',
      body: { ...current, status: { phase: 'Ignored' } },
    })) as Widget;
    expect(viaMain.status?.phase).to.equal(undefined);

    // ...and through /status it is stored.
    const viaStatus = (await objects.replaceNamespacedCustomObjectStatus({
      group,
      version,
      namespace,
      plural,
      name: 'with-status',
      body: { ...viaMain, status: { phase: 'Running' } },
    })) as Widget;
    expect(viaStatus.status?.phase).to.equal('Running');
  });

  it('streams ADDED and MODIFIED events on a watch', async function () {
    const events: string[] = [];
    const controller = new AbortController();
    const seen = new Promise<void>((resolve, reject) => {
      void new Watch(cluster.kubeConfig())
        .watch(
          `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
          { fieldSelector: 'metadata.name=watched' },
          (type: string, object: Widget) => {
            events.push(`${type} ${object.metadata.name} ${object.status?.phase ?? '-'}`);
            if (type === 'MODIFIED' && object.status?.phase === 'Done') resolve();
          },
          (error: unknown) => (error && !controller.signal.aborted ? reject(error as Error) : undefined),
        )
        .then((request) => controller.signal.addEventListener('abort', () => request.abort()), reject);
    });
    // Give the watch a moment to be established server-side before the first write.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = (await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: widget('watched', 1, 1),
    })) as Widget;
    await objects.replaceNamespacedCustomObjectStatus({
      group,
      version,
      namespace,
      plural,
      name: 'watched',
      body: { ...created, status: { phase: 'Done' } },
    });
    await seen.finally(() => controller.abort());
    expect(events).to.deep.equal(['ADDED watched -', 'MODIFIED watched Done']);
  });

  it('kubectl get prints the CRD printer columns', async function () {
    const created = (await objects.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      body: widget('printed', 2, 4),
    })) as Widget;
    await objects.replaceNamespacedCustomObjectStatus({
      group,
      version,
      namespace,
      plural,
      name: 'printed',
      body: { ...created, status: { phase: 'Ready' } },
    });
    const result = await cluster.kubectl(['get', 'wd', 'printed', '--no-headers=false']);
    expect(result.code, result.stderr).to.equal(0);
    const [header, row] = result.stdout.trim().split('\n');
    expect(header?.split(/\s+/)).to.deep.equal(['NAME', 'REPLICAS', 'PHASE', 'AGE']);
    expect(row?.split(/\s+/).slice(0, 3)).to.deep.equal(['printed', '2', 'Ready']);
  });

  it('enforces RBAC: an unprivileged user is forbidden', async function () {
    const result = await cluster.kubectl(['get', plural, '--as=someone-unprivileged']);
    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.match(/forbidden/i);
  });
});

/** Creates a CRD and waits until the API server reports it Established (served). */
async function installCrd(api: ApiextensionsV1Api, crd: V1CustomResourceDefinition): Promise<void> {
  const name = crd.metadata?.name ?? '';
  await api.createCustomResourceDefinition({ body: crd }).catch((error: unknown) => {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  });
  await waitFor(`CRD ${name} Established`, async () => {
    const current = await api.readCustomResourceDefinition({ name });
    return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
}
