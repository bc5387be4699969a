import {
  CoreV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  type V1ConfigMap,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { podLabels } from '../../common/index.js';
import { describe } from './errors.js';
import { bacljobs, KubeApi, type RawJob } from './kube-api.js';
import type { Logger } from '../telemetry/logger.js';

// Watches (never polls) BaclJobs and the objects the operator owns, keeping a cache of each. Every event turns
// into a job key for the work queue; the reconciler then reads the caches, so which event woke it does not
// matter (level-triggered). Owned objects are selected by the managed-by label, so the operator neither lists
// nor caches the rest of the cluster's pods.

export const managedBySelector = 'app.kubernetes.io/managed-by=bacl-operator';

export interface Caches {
  jobs: ObjectCache<RawJob>;
  pods: ObjectCache<V1Pod>;
  services: ObjectCache<V1Service>;
  configMaps: ObjectCache<V1ConfigMap>;
}

export interface InformerOptions {
  /** Watch one namespace; all namespaces when undefined. */
  namespace?: string;
  /** Called with `namespace/name` of the BaclJob an event concerns. */
  onKey: (key: string) => void;
  /** Called with the job key of every job event, with the object (the reconciler's read-your-writes check). */
  onJob?: (job: RawJob) => void;
  logger: Logger;
  signal: AbortSignal;
  /** First delay before restarting a failed watch, doubled up to 30 s. @default 1000 ms */
  restartDelayMs?: number;
}

export const jobKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/** The job a pod, Service or ConfigMap belongs to, from the job label the builders set. */
export function ownerKey(object: KubernetesObject): string | undefined {
  const job = object.metadata?.labels?.[podLabels.job];
  return job === undefined ? undefined : jobKey(object.metadata?.namespace, job);
}

/** Starts the four informers; resolves once each has listed (its cache is synced), stops them on abort. */
export async function startInformers(kubeConfig: KubeConfig, options: InformerOptions): Promise<Caches> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const api = new KubeApi(kubeConfig);
  const ns = options.namespace;
  const base = ns ? `/api/v1/namespaces/${ns}` : '/api/v1';
  const selector = { labelSelector: managedBySelector };
  const jobsPath = `/apis/${bacljobs.group}/${bacljobs.version}${ns ? `/namespaces/${ns}` : ''}/${bacljobs.plural}`;

  const lists: Promise<void>[] = [];
  const listed = <T>(list: () => Promise<T>) => {
    const first = firstSuccess(list);
    lists.push(first.done);
    return first.list;
  };
  const jobs = makeInformer<RawJob>(
    kubeConfig,
    jobsPath,
    listed(() => api.listJobs(ns)),
  );
  const pods = makeInformer<V1Pod>(
    kubeConfig,
    `${base}/pods`,
    listed(() =>
      ns ? core.listNamespacedPod({ namespace: ns, ...selector }) : core.listPodForAllNamespaces(selector),
    ),
    managedBySelector,
  );
  const services = makeInformer<V1Service>(
    kubeConfig,
    `${base}/services`,
    listed(() =>
      ns
        ? core.listNamespacedService({ namespace: ns, ...selector })
        : core.listServiceForAllNamespaces(selector),
    ),
    managedBySelector,
  );
  const configMaps = makeInformer<V1ConfigMap>(
    kubeConfig,
    `${base}/configmaps`,
    listed(() =>
      ns
        ? core.listNamespacedConfigMap({ namespace: ns, ...selector })
        : core.listConfigMapForAllNamespaces(selector),
    ),
    managedBySelector,
  );

  const onJob = (job: RawJob) => {
    options.onJob?.(job);
    options.onKey(jobKey(job.metadata.namespace, job.metadata.name));
  };
  for (const verb of ['add', 'update', 'delete'] as const) jobs.on(verb, onJob);
  const onOwned = (object: KubernetesObject) => {
    const key = ownerKey(object);
    if (key) options.onKey(key);
  };
  for (const informer of [pods, services, configMaps] as Informer<KubernetesObject>[]) {
    for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, onOwned);
  }

  const all: [string, Informer<KubernetesObject>][] = [
    ['bacljobs', jobs],
    ['pods', pods],
    ['services', services],
    ['configmaps', configMaps],
  ] as [string, Informer<KubernetesObject>][];
  for (const [resource, informer] of all) keepRunning(resource, informer, options);
  options.signal.addEventListener('abort', () => void Promise.all(all.map(([, i]) => i.stop())), {
    once: true,
  });
  // start() resolves even when the first list failed (e.g. 429 "storage is (re)initializing" right after the
  // CRD is installed); the caches count as synced only once every list succeeded, through restarts if needed.
  await Promise.all(all.map(([, informer]) => informer.start()));
  await untilAborted(Promise.all(lists), options.signal);
  return { jobs, pods, services, configMaps };
}

/** Wraps a list call; `done` resolves after its first success. */
function firstSuccess<T>(list: () => Promise<T>): { list: () => Promise<T>; done: Promise<void> } {
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    list: async () => {
      const result = await list();
      resolve();
      return result;
    },
    done,
  };
}

/** Waits for `promise` (which never rejects), or rejects with the abort reason once `signal` aborts. */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/**
 * client-node's ListWatch re-watches by itself after a clean end, but stops on an error (a failed list, the
 * API server restarting): restart it with backoff until the operator stops. A restart relists, which fires
 * add/update for what changed meanwhile, so no change is lost.
 */
function keepRunning(resource: string, informer: Informer<KubernetesObject>, options: InformerOptions): void {
  const first = options.restartDelayMs ?? 1000;
  let delay = first;
  let lastError = 0;
  // Not reset on 'connect': ListWatch emits it before its list, so a list that keeps failing would retry every
  // second forever. A minute without errors counts as healthy again.
  informer.on('error', (error: unknown) => {
    if (options.signal.aborted) return;
    if (Date.now() - lastError > 60_000) delay = first;
    lastError = Date.now();
    options.logger.error('Watch failed; restarting', { resource, retryInMs: delay, error: describe(error) });
    const timer = setTimeout(() => {
      if (!options.signal.aborted) informer.start().catch(() => undefined); // a failed start emits 'error'
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 30_000);
  });
}
