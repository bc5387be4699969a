import { CoreV1Api } from '@kubernetes/client-node';
import { podLabels, type JobStage } from '../../common/index.js';
import { podName } from '../../operator/internal.js';
import type { CliKube } from './kube-fixture.js';

/** Creates a worker pod labelled as the operator labels them (nothing runs it: the harness has no kubelet). */
export async function createWorkerPod(
  kube: CliKube,
  job: string,
  stage: JobStage,
  attempt: number,
  nodeRank: number,
  nodeName?: string,
): Promise<string> {
  const name = podName(job, stage, attempt, nodeRank);
  await kube.cluster
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedPod({
      namespace: kube.namespace,
      body: {
        metadata: {
          name,
          labels: {
            [podLabels.job]: job,
            [podLabels.stage]: stage,
            [podLabels.attempt]: String(attempt),
            [podLabels.nodeRank]: String(nodeRank),
          },
        },
        spec: {
          ...(nodeName ? { nodeName } : {}),
          containers: [{ name: 'worker', image: 'ghcr.io/bacl/worker:test' }],
        },
      },
    });
  return name;
}
