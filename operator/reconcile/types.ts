import type { V1ConfigMap, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import type { BaclJobStatus, CheckpointRef, JobStage, Results } from '../../common/index.js';
import type { NatsMinting } from './nats-credentials.js';

// What decide() reads besides the job (Observed) and what it asks the effect runner to do (Action). Observed is
// a view the runner builds from its caches and NATS (never S3, never a Secret: ADR 0037); decide never does I/O.

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** One worker pod of the job, as read from its labels and status. */
export interface ObservedPod {
  name: string;
  stage: JobStage;
  attempt: number;
  nodeRank: number;
  phase: PodPhase;
  /** Every container ready (the pod's Ready condition). */
  ready: boolean;
  /** RFC 3339; set once the pod is being deleted: the time by which it should be gone. */
  deletionTimestamp?: string;
  /** Why it failed or is waiting, for people: "OOMKilled (exit 137)", "ImagePullBackOff: ...". */
  reason?: string;
  /** The first non-zero exit code of its terminated containers (common/exit-codes.ts: 5 is LossDiverged). */
  exitCode?: number;
}

/** The latest progress event published by the ranks (NATS `....progress`). */
export interface ProgressReport {
  attempt: number;
  stage: JobStage;
  epoch?: number;
  step: number;
  totalSteps: number;
  imagesPerSecond?: number;
  loss?: number;
  etaSeconds?: number;
}

export interface Observed {
  /** Whether the job's config ConfigMap and headless Service exist. */
  configMap: boolean;
  service: boolean;
  /** Every pod labelled with the job's name, of any stage and attempt. */
  pods: ObservedPod[];
  progress?: ProgressReport;
  /** The stage's latest complete checkpoint (its latest.json). */
  checkpoint?: CheckpointRef;
  /**
   * The evaluate stage's metrics, from the termination message of its node-0 pod (observe.ts, ADR 0037). The
   * runner reads them whenever that pod has succeeded; undefined then means rank 0 reported none, and the job
   * fails with ResultsMissing (and `resultsProblem`) instead of waiting forever.
   */
  results?: Results;
  /**
   * Names of the job's minted NATS credentials Secrets known to exist (the runner's memory of its creates: the
   * operator may create Secrets but not read them). Undefined or missing a name: create it (AlreadyExists is done).
   */
  natsSecrets?: string[];
  /** Why `results` is missing although the node-0 evaluate pod succeeded: for the ResultsMissing message. */
  resultsProblem?: string;
  /** The pod that deletes the run prefix (runPolicy.deleteRunDataOnDelete), once created. */
  purgePod?: ObservedPurgePod;
}

/** The run-data purge pod of a job being deleted (objects.ts buildPurgePod). */
export interface ObservedPurgePod {
  name: string;
  phase: PodPhase;
  /** RFC 3339: when it was created, for the bounded wait. */
  createdAt: string;
  deletionTimestamp?: string;
  /** Why it failed or is waiting (as ObservedPod.reason). */
  reason?: string;
}

export type Action =
  | { type: 'AddFinalizer'; finalizer: string }
  | { type: 'RemoveFinalizer'; finalizer: string }
  | { type: 'CreateConfigMap'; configMap: V1ConfigMap }
  | { type: 'CreateService'; service: V1Service }
  | { type: 'CreatePod'; pod: V1Pod }
  /**
   * Mint a NATS user for the job (ADR 0038) and create `secret` (metadata only) with its credentials file under
   * the key nats.creds; the user may use only the job's subjects and expires at `user.expires`.
   */
  | {
      type: 'CreateNatsCredentials';
      secret: V1Secret;
      user: { namespace: string; job: string; issuedAt: number; expires: number };
    }
  /** force: delete with grace period 0, for a pod whose node is gone and will never confirm. */
  | { type: 'DeletePod'; name: string; reason: string; force: boolean }
  /** On deletion: the operator removes what it created itself instead of relying on garbage collection. */
  | { type: 'DeleteConfigMap'; name: string }
  | { type: 'DeleteService'; name: string }
  /** On deletion with runPolicy.deleteRunDataOnDelete: the pod that deletes `uri` with the job's own credentials. */
  | { type: 'CreatePurgePod'; pod: V1Pod; uri: string }
  /** The purge pod is done with (`purged`: it deleted the run data; false: purging was called off). */
  | { type: 'DeletePurgePod'; name: string; uri: string; purged: boolean }
  | { type: 'DeleteJob'; reason: string }
  /** Reconcile again after this long even if nothing changes (deadlines, TTL, grace periods). */
  | { type: 'RequeueAfter'; seconds: number };

export interface Decision {
  /** In order; the runner stops at the first that fails and reconciles again. */
  actions: Action[];
  /** The status to write through /status (the runner skips the write when it equals the current one). */
  status: BaclJobStatus;
}

export interface DecideOptions {
  /**
   * How long past its deletion deadline a pod may stay Terminating before the operator takes its node for
   * lost: a pod of the current group then fails the group, an older pod is force-deleted.
   * @default 300 (seconds)
   */
  terminatingGraceSeconds?: number;
  /** Mint per-job NATS users for jobs on this server (nats-credentials.ts). @default undefined (never mint) */
  natsMinting?: NatsMinting;
  /**
   * How long the finalizer waits for the run-data purge pod to succeed before it reports RunDataPurged=False
   * (PurgeTimedOut) on the job; the job is still held, so the data is never left behind silently.
   * @default 600 (seconds: listing and deleting a run prefix of a few thousand objects takes well under a minute)
   */
  purgeTimeoutSeconds?: number;
}
