import type { BaclJob, JobStage } from '../../common/index.js';
import { runPrefix } from './naming.js';
import { terminationMessagePath } from './pod-security.js';

// The rank environment contract (shared/design.md) as the operator sets it on a worker pod. RANK and
// LOCAL_RANK are per process: the pod's launcher sets them when it forks one rank per GPU, from NODE_RANK and
// LOCAL_WORLD_SIZE (RANK = NODE_RANK * LOCAL_WORLD_SIZE + LOCAL_RANK), as torchrun does.

/** Where objects.ts mounts the config ConfigMap and the NATS credentials Secret. */
export const configMountDir = '/etc/bacl/config';
export const configFile = 'config.yaml';
export const natsCredsDir = '/etc/bacl/nats';
/** The key of the NATS credentials file in a job's credentials Secret, its own or minted. */
export const natsCredsFile = 'nats.creds';

/**
 * The shard location a rank reads (BACL_DATASET_TRAIN/VAL: the s3:// prefix `baclctl data prepare` wrote) from
 * spec.dataset's URI, which names that prefix's manifest.json (a prefix without it is passed as is).
 */
export function shardLocation(uri: string): string {
  return uri.replace(/\/manifest\.json$/, '');
}

export function rankEnv(
  job: BaclJob,
  ref: { stage: JobStage; attempt: number; nodeRank: number; natsSecret?: string },
): Record<string, string> {
  const { spec, metadata } = job;
  // Every stage, evaluate included (ADR 0029), runs on spec.nodes pods; gpusPerNode 0 is one rank per pod.
  const localWorldSize = Math.max(1, spec.gpusPerNode);
  const run = runPrefix(job);
  const env: Record<string, string> = {
    BACL_JOB: `${metadata.namespace ?? 'default'}/${metadata.name}`,
    BACL_ATTEMPT: String(ref.attempt),
    BACL_STAGE: ref.stage,
    NODE_RANK: String(ref.nodeRank),
    WORLD_SIZE: String(spec.nodes * localWorldSize),
    LOCAL_WORLD_SIZE: String(localWorldSize),
    NATS_URL: spec.nats.url,
    BACL_CONFIG: `${configMountDir}/${configFile}`,
    BACL_RUN_URI: run,
    BACL_CHECKPOINT_URI: spec.checkpoint.uri ?? run,
    BACL_CHECKPOINT_EVERY_STEPS: String(spec.checkpoint.everySteps),
    BACL_CHECKPOINT_KEEP_LAST: String(spec.checkpoint.keepLast),
    BACL_RESUME: spec.resume,
    BACL_DATASET: spec.dataset.name,
    BACL_DATASET_TRAIN: shardLocation(spec.dataset.train),
    BACL_DATASET_VAL: shardLocation(spec.dataset.val),
    BACL_TERMINATION_LOG: terminationMessagePath,
    // The pod's grace period, so the final checkpoint's deadline falls inside it (ADR 0041).
    BACL_TERMINATION_GRACE_SECONDS: String(spec.terminationGracePeriodSeconds),
    ...s3Env(job),
  };
  if (ref.natsSecret ?? spec.nats.credentialsSecret) env.NATS_CREDS = `${natsCredsDir}/${natsCredsFile}`;
  return env;
}

/**
 * Where the S3 store is and how long one request attempt may take (not who may use it: the credentials come
 * from the job's Secret through envFrom). The worker pods and the purge pod both get it. Without
 * spec.s3.requestTimeoutSeconds BACL_S3_REQUEST_TIMEOUT_SECONDS is left out: the worker's default applies.
 */
export function s3Env(job: BaclJob): Record<string, string> {
  const { s3 } = job.spec;
  return {
    AWS_REGION: s3.region,
    BACL_S3_FORCE_PATH_STYLE: String(s3.forcePathStyle),
    ...(s3.endpoint ? { AWS_ENDPOINT_URL_S3: s3.endpoint } : {}),
    ...(s3.requestTimeoutSeconds === undefined
      ? {}
      : { BACL_S3_REQUEST_TIMEOUT_SECONDS: String(s3.requestTimeoutSeconds) }),
  };
}
