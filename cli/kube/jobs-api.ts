import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { baclJobResource, type BaclJob } from '../../common/index.js';

// BaclJobs through CustomObjectsApi with plain objects: client-node's typed models would drop the keys they do
// not know (docs/adr/0003-test-infrastructure.md), and spec.config is all unknown keys.

const { group, version, plural } = baclJobResource;

/** A JSON patch operation (RFC 6902), client-node's default patch content type. */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

export interface BaclJobList {
  items: BaclJob[];
  metadata: { resourceVersion?: string };
}

/** The BaclJob calls the CLI makes; errors are client-node ApiExceptions, mapped by toCliError. */
export class JobsApi {
  private readonly objects: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async get(namespace: string, name: string): Promise<BaclJob> {
    return (await this.objects.getNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      name,
    })) as BaclJob;
  }

  /** Jobs of one namespace, or of all with `namespace` undefined. */
  async list(namespace: string | undefined): Promise<BaclJobList> {
    const list: unknown =
      namespace === undefined
        ? await this.objects.listClusterCustomObject({ group, version, plural })
        : await this.objects.listNamespacedCustomObject({ group, version, plural, namespace });
    return list as BaclJobList;
  }

  /** Strict field validation, as kubectl asks for: a field the CRD does not know is refused, not dropped. */
  async create(namespace: string, body: object): Promise<BaclJob> {
    return (await this.objects.createNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      body,
      fieldValidation: 'Strict',
    })) as BaclJob;
  }

  async patch(namespace: string, name: string, operations: JsonPatchOperation[]): Promise<BaclJob> {
    return (await this.objects.patchNamespacedCustomObject({
      group,
      version,
      plural,
      namespace,
      name,
      body: operations,
    })) as BaclJob;
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.objects.deleteNamespacedCustomObject({ group, version, plural, namespace, name });
  }
}

/** The watch path of BaclJobs in one namespace, or in all with `namespace` undefined. */
export function jobsPath(namespace: string | undefined): string {
  const prefix = `/apis/${group}/${version}`;
  return namespace === undefined ? `${prefix}/${plural}` : `${prefix}/namespaces/${namespace}/${plural}`;
}
