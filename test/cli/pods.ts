import { CoreV1Api } from '@kubernetes/client-node';
import type { CliKube } from './kube-fixture.js';

/** Creates a worker pod labelled as the operator labels them (nothing runs it: the harness has no kubelet). */
export async function createWorkerPod(
  kube: CliKube,
  job: string,
  stage: 'representation' | 'classifier' | 'evaluate',
  attempt: number,
  nodeRank: number,
  nodeName?: string,
): Promise<string> {
  const short = { representation: 'rep', classifier: 'cls', evaluate: 'eval' }[stage];
  const name = `${job}-${short}-${attempt}-${nodeRank}`;
  await kube.cluster
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespacedPod({
      namespace: kube.namespace,
      body: {
        metadata: {
          name,
          labels: {
            'bacl.dev/job': job,
            'bacl.dev/stage': stage,
            'bacl.dev/attempt': String(attempt),
            'bacl.dev/node-rank': String(nodeRank),
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
