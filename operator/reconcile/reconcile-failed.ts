import type { BaclJobStatus } from '../../common/index.js';
import { clearCondition, isTrue, setCondition } from './conditions.js';

// The ReconcileFailed condition: True, with a reason and a message, while the operator cannot act on a job (an
// API call refused, a quota exceeded, worker settings missing, a spec it cannot read, S3 unreachable), so no job
// stays silently non-terminal with the cause only in the operator's log or an Event; False again (reason
// Reconciled) once a reconcile gets through. Pure: the controller says what went wrong (ReconcileProblem) and
// writes what this returns. docs/adr/0035-fault-handling.md.

export type ReconcileFailureReason =
  /** The API server refused an operator request with 403 (RBAC, an admission policy). */
  | 'Forbidden'
  /** A ResourceQuota of the namespace refused a pod (403 "exceeded quota"). */
  | 'QuotaExceeded'
  /** The job leaves image, NATS or the S3 Secret out and the operator has no default for it. */
  | 'WorkerSettingsMissing'
  /** The stored job does not parse (it got past the CRD's schema somehow). */
  | 'InvalidSpec'
  /** The API server answered with another error, or could not be reached. */
  | 'ApiError'
  /** Anything else: a bug in the operator. */
  | 'InternalError';

export interface ReconcileProblem {
  reason: ReconcileFailureReason;
  /** What failed and what to do, for people: names the object and the call. */
  message: string;
  /** Whether the operator retries by itself (with backoff) or waits for the job or its own flags to change. */
  retrying: boolean;
}

export const reconciledReason = 'Reconciled';

/**
 * `status` with ReconcileFailed set from `problem` (True), or cleared (False, Reconciled) when `problem` is
 * undefined and the condition was True; a job that never had the problem gets no condition. Returns a new
 * object; lastTransitionTime moves only when the condition flips (setCondition).
 */
export function withReconcileProblem(
  status: BaclJobStatus,
  problem: ReconcileProblem | undefined,
  now: Date,
  generation?: number,
): BaclJobStatus {
  const next = structuredClone(status);
  if (problem === undefined) {
    clearCondition(
      next,
      'ReconcileFailed',
      reconciledReason,
      'the operator reconciled the job again',
      now,
      generation,
    );
    return next;
  }
  const then = problem.retrying
    ? 'the operator retries with backoff'
    : 'the operator waits for the job (or its own settings) to change';
  setCondition(
    next,
    {
      type: 'ReconcileFailed',
      status: 'True',
      reason: problem.reason,
      message: `${problem.message} (${then})`,
    },
    now,
    generation,
  );
  return next;
}

export const reconcileFailing = (status: BaclJobStatus | undefined): boolean =>
  status !== undefined && isTrue(status, 'ReconcileFailed');
