import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { expect } from 'chai';
import { packageRoot, type BaclJob, type BaclJobSpecInput, type BaclJobStatus } from '../../common/index.js';
import { sharedKube, type KubeCluster } from '../harness/index.js';
import { minimalJob } from '../operator/fixtures.js';

// The real kube-apiserver with the chart's CRD installed, for the CLI tests: commands run in-process through
// @oclif/test with --kubeconfig pointing at the harness's admin kubeconfig.

export const cliRoot = fileURLToPath(new URL('../..', import.meta.url));

const group = 'bacl.dev';
const version = 'v1alpha1';
const plural = 'bacljobs';

export interface CliKube {
  cluster: KubeCluster;
  objects: CustomObjectsApi;
  /** `--kubeconfig <admin> -n <namespace>`, appended to every command. */
  target: string[];
  namespace: string;
  /** Creates a minimal valid job straight through the API (not through submit). */
  createJob(name: string, spec?: Partial<BaclJobSpecInput>): Promise<BaclJob>;
  getJob(name: string): Promise<BaclJob>;
  /** Writes status through the /status subresource, as the operator does. */
  writeStatus(name: string, status: BaclJobStatus): Promise<BaclJob>;
}

/** Installs the CRD (idempotent: server-side apply) and creates `namespace`. */
export async function cliKube(namespace: string): Promise<CliKube> {
  process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
  const cluster = await sharedKube();
  const crd = join(packageRoot(), 'charts/bacl-operator/crds/bacljobs.bacl.dev.yaml');
  const applied = await cluster.kubectl(['apply', '--server-side', '-f', crd]);
  expect(applied.code, applied.stderr).to.equal(0);
  const established = await cluster.kubectl([
    'wait',
    '--for=condition=Established',
    'crd/bacljobs.bacl.dev',
    '--timeout=60s',
  ]);
  expect(established.code, established.stderr).to.equal(0);
  const created = await cluster.kubectl(['create', 'namespace', namespace]);
  expect(created.code, created.stderr).to.equal(0);
  const objects = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
  const getJob = async (name: string) =>
    (await objects.getNamespacedCustomObject({ group, version, plural, namespace, name })) as BaclJob;
  return {
    cluster,
    objects,
    namespace,
    target: ['--kubeconfig', cluster.kubeconfigPath, '-n', namespace],
    createJob: async (name, spec) =>
      (await objects.createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
        body: minimalJob(name, spec),
      })) as BaclJob,
    getJob,
    writeStatus: async (name, status) => {
      const current = await getJob(name);
      return (await objects.replaceNamespacedCustomObjectStatus({
        group,
        version,
        plural,
        namespace,
        name,
        body: { ...current, status },
      })) as BaclJob;
    },
  };
}
