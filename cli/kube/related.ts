import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { baclJobResource, podLabels } from '../../common/index.js';

// What belongs to a job besides the object: its worker pods (by the pod labels in common/api) and its events.

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
