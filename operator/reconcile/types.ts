import type { V1ConfigMap, V1Pod, V1Service } from '@kubernetes/client-node';
import type { BaclJobStatus, CheckpointRef, JobStage, Results } from '../../common/index.js';

// What decide() reads besides the job (Observed) and what it asks the effect runner to do (Action). Observed is
// a view the runner builds from its caches, S3 and NATS; decide never does I/O.

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
   * The evaluate stage's metrics.json. The runner must read it whenever its node-0 pod has succeeded;
   * undefined then means it is not there, and the job fails with ResultsMissing instead of waiting forever.
   */
  results?: Results;
}

export type Action =
  | { type: 'AddFinalizer'; finalizer: string }
  | { type: 'RemoveFinalizer'; finalizer: string }
  | { type: 'CreateConfigMap'; configMap: V1ConfigMap }
  | { type: 'CreateService'; service: V1Service }
  | { type: 'CreatePod'; pod: V1Pod }
  /** force: delete with grace period 0, for a pod whose node is gone and will never confirm. */
  | { type: 'DeletePod'; name: string; reason: string; force: boolean }
  /** On deletion: the operator removes what it created itself instead of relying on garbage collection. */
  | { type: 'DeleteConfigMap'; name: string }
  | { type: 'DeleteService'; name: string }
  | { type: 'DeleteRunData'; uri: string }
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
}
