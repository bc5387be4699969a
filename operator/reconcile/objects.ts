import type {
  V1ConfigMap,
  V1EnvVar,
  V1OwnerReference,
  V1Pod,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import {
  baclJobResource,
  podLabels as labels,
  workerContainer,
  type BaclJob,
  type JobStage,
} from '../../common/index.js';
import { configMapName, podName, purgePodName, runPrefix, serviceName } from './naming.js';
import { terminationMessagePath, workerContainerSecurity, workerPodSecurity } from './pod-security.js';
import { configFile, configMountDir, natsCredsDir, rankEnv, s3Env } from './rank-env.js';

// Builders for the objects the operator creates. Each carries the job's owner reference (so deleting the job
// garbage-collects it) and the job label (so the operator finds it again).

export const gpuResource = 'nvidia.com/gpu';

function ownerReference(job: BaclJob): V1OwnerReference {
  return {
    apiVersion: baclJobResource.apiVersion,
    kind: baclJobResource.kind,
    name: job.metadata.name,
    uid: job.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

function metadata(job: BaclJob, name: string, extraLabels: Record<string, string> = {}) {
  return {
    name,
    namespace: job.metadata.namespace,
    labels: {
      'app.kubernetes.io/name': 'bacl-worker',
      'app.kubernetes.io/managed-by': 'bacl-operator',
      [labels.job]: job.metadata.name,
      ...extraLabels,
    },
    ownerReferences: [ownerReference(job)],
  };
}

/** The effective training config, mounted read-only into every worker (BACL_CONFIG points at it). */
export function buildConfigMap(job: BaclJob): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(job, configMapName(job.metadata.name)),
    data: { [configFile]: stringify(job.spec.config) },
    // spec.config is immutable, so the ConfigMap never has to change.
    immutable: true,
  };
}

/** Headless: DNS names for the ranks, no load balancing. Not-ready pods are published, as rendezvous needs. */
export function buildService(job: BaclJob): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(job, serviceName(job.metadata.name)),
    spec: {
      clusterIP: 'None',
      selector: { [labels.job]: job.metadata.name },
      publishNotReadyAddresses: true,
    },
  };
}

/**
 * A minted NATS credentials Secret (ADR 0038), without its data: the effect runner mints the user and adds the
 * credentials file under the key nats.creds (the key a job's own credentialsSecret has). Immutable: a new period
 * gets a new Secret, never an update (the operator may only create Secrets).
 */
export function buildNatsCredentialsSecret(job: BaclJob, name: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(job, name),
    type: 'Opaque',
    immutable: true,
  };
}

export interface WorkerPodRef {
  stage: JobStage;
  attempt: number;
  nodeRank: number;
  /** The minted NATS credentials Secret to mount; undefined: spec.nats.credentialsSecret, if any. */
  natsSecret?: string;
}

/** One worker pod: a launcher that forks one rank per GPU (or one CPU rank when gpusPerNode is 0). */
export function buildWorkerPod(job: BaclJob, ref: WorkerPodRef): V1Pod {
  const { spec } = job;
  const name = podName(job.metadata.name, ref.stage, ref.attempt, ref.nodeRank);
  const env: V1EnvVar[] = Object.entries(rankEnv(job, ref)).map(([key, value]) => ({ name: key, value }));
  const gpus: Record<string, string> =
    spec.gpusPerNode > 0 ? { [gpuResource]: String(spec.gpusPerNode) } : {};
  const quantities = (values: Record<string, number | string> | undefined) =>
    Object.fromEntries(Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]));
  const natsSecret = ref.natsSecret ?? spec.nats.credentialsSecret;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(job, name, {
      [labels.stage]: ref.stage,
      [labels.attempt]: String(ref.attempt),
      [labels.nodeRank]: String(ref.nodeRank),
    }),
    spec: {
      // A failed rank must fail the pod, and the operator restarts the whole group: never the kubelet.
      restartPolicy: 'Never',
      hostname: name,
      subdomain: serviceName(job.metadata.name),
      // Service links would add a variable per Service in the namespace to the rank environment.
      enableServiceLinks: false,
      // The worker never calls the Kubernetes API (pod-security.ts).
      automountServiceAccountToken: false,
      // SIGTERM to SIGKILL: the time to finish the step and write the final checkpoint (ADR 0041). The pod's
      // deletionTimestamp carries it, so the node-lost force-delete (group.ts overstaySeconds) waits for it too.
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
      securityContext: workerPodSecurity,
      nodeSelector: spec.nodeSelector,
      tolerations: spec.tolerations,
      containers: [
        {
          name: workerContainer,
          image: spec.image,
          env,
          envFrom: [{ secretRef: { name: spec.s3.credentialsSecret } }],
          securityContext: workerContainerSecurity,
          // The evaluate stage's rank 0 writes its metrics here; the operator reads them from the pod status.
          terminationMessagePath,
          terminationMessagePolicy: 'File',
          resources: {
            requests: { ...quantities(spec.resources?.requests), ...gpus },
            limits: { ...quantities(spec.resources?.limits), ...gpus },
          },
          volumeMounts: [
            { name: 'config', mountPath: configMountDir, readOnly: true },
            { name: 'scratch', mountPath: '/tmp' },
            ...(natsSecret ? [{ name: 'nats-credentials', mountPath: natsCredsDir, readOnly: true }] : []),
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: configMapName(job.metadata.name) } },
        { name: 'scratch', emptyDir: {} },
        ...(natsSecret ? [{ name: 'nats-credentials', secret: { secretName: natsSecret } }] : []),
      ],
    },
  };
}

/**
 * The pod that deletes a job's run prefix when the job is deleted with runPolicy.deleteRunDataOnDelete
 * (`bacl-worker purge <prefix>/`): the worker image with the job's own S3 credentials (envFrom its Secret, as
 * the workers get them), so the operator itself needs no Secret (ADR 0037). It runs where the workers may
 * (their nodeSelector and tolerations, where the image is likely pulled already).
 */
export function buildPurgePod(job: BaclJob): V1Pod {
  const { spec } = job;
  const env: V1EnvVar[] = Object.entries(s3Env(job)).map(([key, value]) => ({ name: key, value }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(job, purgePodName(job.metadata.name), { 'app.kubernetes.io/component': 'purge' }),
    spec: {
      restartPolicy: 'Never',
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: purgeGracePeriodSeconds,
      securityContext: workerPodSecurity,
      nodeSelector: spec.nodeSelector,
      tolerations: spec.tolerations,
      containers: [
        {
          name: purgeContainer,
          image: spec.image,
          args: ['purge', purgeUri(job)],
          env,
          envFrom: [{ secretRef: { name: spec.s3.credentialsSecret } }],
          securityContext: workerContainerSecurity,
          terminationMessagePath,
          terminationMessagePolicy: 'FallbackToLogsOnError',
          volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    },
  };
}

export const purgeContainer = 'purge';

/**
 * The purge pod's grace period, not the job's (ADR 0041): it writes nothing, so a purge stopped mid-way loses
 * nothing (the next one lists and deletes what is left), and the job's value, sized for a checkpoint upload, would
 * only keep a stopped purge pod (and so the job's deletion) waiting. Kubernetes' default, said explicitly.
 */
export const purgeGracePeriodSeconds = 30;

/** What the purge pod deletes: everything under the job's run prefix (the trailing slash keeps siblings). */
export const purgeUri = (job: BaclJob): string => `${runPrefix(job)}/`;
