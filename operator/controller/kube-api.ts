import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
  type V1ConfigMap,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';
import { baclJobResource, type BaclJobStatus } from '../../common/index.js';
import { KubeRequestError } from './errors.js';

// Every API call the reconciler makes, in one place: idempotency (409 on create and 404 on delete are answers,
// not errors), patch content types, and errors that name the object. The BaclJob goes through
// CustomObjectsApi, whose bodies are plain objects: client-node's typed models would drop unknown keys.

/** The BaclJob resource as CustomObjectsApi addresses it, taken from common/api's definition. */
export const bacljobs = {
  group: baclJobResource.group,
  version: baclJobResource.version,
  plural: baclJobResource.plural,
} as const;

/** A BaclJob as the API server returns it: parsed by the reconciler, written back only in parts. */
export interface RawJob {
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    finalizers?: string[];
  };
  status?: unknown;
  [key: string]: unknown;
}

export type CreateResult = 'created' | 'existed';
export type DeleteResult = 'deleted' | 'gone';

export class KubeApi {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  createPod(namespace: string, pod: V1Pod): Promise<CreateResult> {
    return created(`create pod ${namespace}/${pod.metadata?.name}`, () =>
      this.core.createNamespacedPod({ namespace, body: pod }),
    );
  }

  createConfigMap(namespace: string, configMap: V1ConfigMap): Promise<CreateResult> {
    return created(`create configmap ${namespace}/${configMap.metadata?.name}`, () =>
      this.core.createNamespacedConfigMap({ namespace, body: configMap }),
    );
  }

  /** Create-only (the operator holds no get on Secrets): an existing Secret of that name counts as created. */
  createSecret(namespace: string, secret: V1Secret): Promise<CreateResult> {
    return created(`create secret ${namespace}/${secret.metadata?.name}`, () =>
      this.core.createNamespacedSecret({ namespace, body: secret }),
    );
  }

  createService(namespace: string, service: V1Service): Promise<CreateResult> {
    return created(`create service ${namespace}/${service.metadata?.name}`, () =>
      this.core.createNamespacedService({ namespace, body: service }),
    );
  }

  /** `force` deletes with grace period 0: for a pod whose node is gone and will never confirm. */
  deletePod(namespace: string, name: string, force: boolean): Promise<DeleteResult> {
    return deleted(`delete pod ${namespace}/${name}`, () =>
      this.core.deleteNamespacedPod({ namespace, name, ...(force ? { gracePeriodSeconds: 0 } : {}) }),
    );
  }

  deleteConfigMap(namespace: string, name: string): Promise<DeleteResult> {
    return deleted(`delete configmap ${namespace}/${name}`, () =>
      this.core.deleteNamespacedConfigMap({ namespace, name }),
    );
  }

  deleteService(namespace: string, name: string): Promise<DeleteResult> {
    return deleted(`delete service ${namespace}/${name}`, () =>
      this.core.deleteNamespacedService({ namespace, name }),
    );
  }

  deleteJob(namespace: string, name: string): Promise<DeleteResult> {
    return deleted(`delete bacljob ${namespace}/${name}`, () =>
      this.custom.deleteNamespacedCustomObject({
        ...bacljobs,
        namespace,
        name,
        propagationPolicy: 'Background',
      }),
    );
  }

  /**
   * Replaces the finalizer list, guarded by the resourceVersion the list was computed from: a concurrent change
   * fails with 409 and the reconcile runs again on fresh state, so no finalizer is lost or doubled.
   */
  async setFinalizers(job: RawJob, finalizers: string[]): Promise<RawJob> {
    const { namespace, name, resourceVersion } = job.metadata;
    return (await call(`update finalizers of bacljob ${namespace}/${name}`, () =>
      this.custom.patchNamespacedCustomObject(
        { ...bacljobs, namespace, name, body: { metadata: { finalizers, resourceVersion } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    )) as RawJob;
  }

  /** A JSON merge patch of the job (spec defaults), guarded by the resourceVersion it was computed from. */
  async patchJob(job: RawJob, patch: Record<string, unknown>): Promise<RawJob> {
    const { namespace, name, resourceVersion } = job.metadata;
    return (await call(`patch bacljob ${namespace}/${name}`, () =>
      this.custom.patchNamespacedCustomObject(
        { ...bacljobs, namespace, name, body: { ...patch, metadata: { resourceVersion } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    )) as RawJob;
  }

  /** Writes the whole status through /status (a JSON patch `add /status` replaces it, removed keys included). */
  async writeStatus(job: RawJob, status: BaclJobStatus): Promise<RawJob> {
    const { namespace, name } = job.metadata;
    return (await call(`write status of bacljob ${namespace}/${name}`, () =>
      this.custom.patchNamespacedCustomObjectStatus(
        { ...bacljobs, namespace, name, body: [{ op: 'add', path: '/status', value: status }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    )) as RawJob;
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    await call(`create event in ${namespace}`, () =>
      this.core.createNamespacedEvent({ namespace, body: event }),
    );
  }

  /** Lists BaclJobs, in one namespace or all; the informer's initial list. */
  async listJobs(
    namespace: string | undefined,
  ): Promise<{ items: RawJob[]; metadata?: { resourceVersion?: string } }> {
    const list = namespace
      ? this.custom.listNamespacedCustomObject({ ...bacljobs, namespace })
      : this.custom.listClusterCustomObject(bacljobs);
    return (await call(`list bacljobs in ${namespace ?? 'all namespaces'}`, () => list)) as {
      items: RawJob[];
    };
  }
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

async function call<T>(operation: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new KubeRequestError(operation, statusOf(error), { cause: error });
  }
}

async function created(operation: string, request: () => Promise<unknown>): Promise<CreateResult> {
  try {
    await request();
    return 'created';
  } catch (error) {
    // Names are deterministic, so an existing object is the one we meant to create (a lagging cache).
    if (statusOf(error) === 409) return 'existed';
    throw new KubeRequestError(operation, statusOf(error), { cause: error });
  }
}

async function deleted(operation: string, request: () => Promise<unknown>): Promise<DeleteResult> {
  try {
    await request();
    return 'deleted';
  } catch (error) {
    if (statusOf(error) === 404) return 'gone';
    throw new KubeRequestError(operation, statusOf(error), { cause: error });
  }
}
