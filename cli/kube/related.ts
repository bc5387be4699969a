import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { baclJobResource } from '../../common/index.js';

// What belongs to a job besides the object: its worker pods (by the operator's labels) and its events.

/** The operator's pod labels (operator/reconcile/naming.ts); test/cli/kube/labels.test.ts keeps them equal. */
export const podLabels = {
  job: 'bacl.dev/job',
  stage: 'bacl.dev/stage',
  attempt: 'bacl.dev/attempt',
  nodeRank: 'bacl.dev/node-rank',
} as const;

/** The container the operator runs in every worker pod. */
export const workerContainer = 'worker';

export async function listJobPods(kubeConfig: KubeConfig, namespace: string, job: string): Promise<V1Pod[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `${podLabels.job}=${job}` });
  return pods.items;
}

/** Events about the job, oldest first (as kubectl describe lists them). */
export async function listJobEvents(
  kubeConfig: KubeConfig,
  namespace: string,
  job: string,
): Promise<CoreV1Event[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const events = await core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.kind=${baclJobResource.kind},involvedObject.name=${job}`,
  });
  return events.items.sort((a, b) => eventTime(a) - eventTime(b));
}

export function eventTime(event: CoreV1Event): number {
  const time =
    event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return time ? new Date(time).getTime() : 0;
}
