import type { ReconcileProblem } from '../reconcile/reconcile-failed.js';
import { KubeRequestError } from './errors.js';

// What a failed reconcile tells the job's owner, through the ReconcileFailed condition
// (operator/reconcile/reconcile-failed.ts): the error that stopped it, classified, with what to do next.

/** A reconcile's error as the problem the job's status shows. Pure. */
export function describeReconcileError(error: unknown): ReconcileProblem {
  if (error instanceof KubeRequestError) {
    if (error.code === 403 && /\bquota\b/i.test(error.message)) {
      return {
        reason: 'QuotaExceeded',
        message: `${error.message}. Try this: raise the namespace's ResourceQuota or free what it counts`,
        retrying: true,
      };
    }
    if (error.code === 403) {
      return {
        reason: 'Forbidden',
        message:
          `${error.message}. Try this: grant the operator's ServiceAccount this verb (the chart's ClusterRole) ` +
          'or relax the policy that refused it',
        retrying: true,
      };
    }
    return {
      reason: 'ApiError',
      message: `${error.message}. Try this: check the API server and the operator's log`,
      retrying: true,
    };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    reason: 'InternalError',
    message: `${text}. Try this: report it with the operator's log`,
    retrying: true,
  };
}

/** The problem of a job whose worker settings are missing with no operator default (worker-defaults.ts). */
export function missingSettingsProblem(missing: readonly string[]): ReconcileProblem {
  return {
    reason: 'WorkerSettingsMissing',
    message: `the job sets no ${missing.join('; no ')}`,
    retrying: false,
  };
}

/** The problem of a stored job that does not parse. */
export function invalidSpecProblem(issues: readonly string[]): ReconcileProblem {
  return {
    reason: 'InvalidSpec',
    message: `the stored job is invalid: ${issues.join('; ')}. Try this: fix the spec (kubectl edit) or recreate the job`,
    retrying: false,
  };
}
