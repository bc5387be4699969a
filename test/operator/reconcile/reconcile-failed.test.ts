// The ReconcileFailed condition as pure functions: set with a reason and message while the operator cannot act
// on a job, cleared once it can, never added to a job that never had a problem; and the classification of the
// errors that stop a reconcile. The wiring against the real apiserver: test/operator/controller/reconcile-failed.test.ts.
import { expect } from 'chai';
import type { BaclJobStatus } from '../../../common/index.js';
import {
  describeReconcileError,
  invalidSpecProblem,
  KubeRequestError,
  missingSettingsProblem,
  reconcileFailing,
  withReconcileProblem,
  type ReconcileProblem,
} from '../../../operator/internal.js';
import { at } from './fixtures.js';

const quota: ReconcileProblem = {
  reason: 'QuotaExceeded',
  message: 'create pod ml/lvis-rep-0-0 failed (HTTP 403): exceeded quota: pods',
  retrying: true,
};

describe('operator/reconcile/reconcile-failed: the ReconcileFailed condition', function () {
  const running: BaclJobStatus = {
    state: 'Running',
    conditions: [
      {
        type: 'Created',
        status: 'True',
        reason: 'JobCreated',
        message: 'x',
        lastTransitionTime: at(0).toISOString(),
      },
    ],
  };

  it('sets it True with the reason and the message, and says whether the operator retries', function () {
    const failing = withReconcileProblem(running, quota, at(10), 3);
    expect(failing.conditions?.find((c) => c.type === 'ReconcileFailed')).to.deep.equal({
      type: 'ReconcileFailed',
      status: 'True',
      reason: 'QuotaExceeded',
      message: `${quota.message} (the operator retries with backoff)`,
      lastTransitionTime: at(10).toISOString(),
      observedGeneration: 3,
    });
    expect(reconcileFailing(failing)).to.equal(true);
    // The input is not changed; other conditions and fields are kept.
    expect(running.conditions).to.have.length(1);
    expect(failing.state).to.equal('Running');
    const waiting = withReconcileProblem(running, missingSettingsProblem(['spec.image']), at(10));
    expect(waiting.conditions?.at(-1)?.message).to.equal(
      'the job sets no spec.image (the operator waits for the job (or its own settings) to change)',
    );
  });

  it('keeps lastTransitionTime while the problem goes on, and clears it (Reconciled) once a reconcile gets through', function () {
    const failing = withReconcileProblem(running, quota, at(10));
    const still = withReconcileProblem(failing, { ...quota, message: 'again' }, at(20));
    expect(still.conditions?.at(-1)).to.include({ lastTransitionTime: at(10).toISOString(), status: 'True' });
    const cleared = withReconcileProblem(still, undefined, at(30));
    expect(cleared.conditions?.at(-1)).to.deep.include({
      type: 'ReconcileFailed',
      status: 'False',
      reason: 'Reconciled',
      lastTransitionTime: at(30).toISOString(),
    });
    expect(reconcileFailing(cleared)).to.equal(false);
  });

  it('adds nothing to a job that never had a problem', function () {
    expect(withReconcileProblem(running, undefined, at(10))).to.deep.equal(running);
    expect(withReconcileProblem({}, undefined, at(10))).to.deep.equal({});
    expect(reconcileFailing(undefined)).to.equal(false);
  });

  const errors: [string, unknown, string, RegExp][] = [
    [
      'a quota refusing a pod',
      new KubeRequestError('create pod ml/p', 403, {
        cause: new Error(
          'pods "p" is forbidden: exceeded quota: no-pods, requested: pods=1, used: pods=0, limited: pods=0',
        ),
      }),
      'QuotaExceeded',
      /^create pod ml\/p failed \(HTTP 403\): pods "p" is forbidden: exceeded quota: no-pods.*Try this: raise the namespace's ResourceQuota/,
    ],
    [
      'RBAC refusing a create',
      new KubeRequestError('create pod ml/p', 403, {
        cause: new Error(
          'pods is forbidden: User "system:serviceaccount:bacl:operator" cannot create resource "pods"',
        ),
      }),
      'Forbidden',
      /cannot create resource "pods".*Try this: grant the operator's ServiceAccount this verb/,
    ],
    [
      'another API error',
      new KubeRequestError('create service ml/s', 500, { cause: new Error('etcdserver: request timed out') }),
      'ApiError',
      /^create service ml\/s failed \(HTTP 500\): etcdserver: request timed out/,
    ],
    [
      'a bug',
      new TypeError('x is undefined'),
      'InternalError',
      /^TypeError: x is undefined\. Try this: report it/,
    ],
  ];
  for (const [what, error, reason, message] of errors) {
    it(`classifies ${what} as ${reason}`, function () {
      const problem = describeReconcileError(error);
      expect(problem.reason).to.equal(reason);
      expect(problem.message).to.match(message);
      expect(problem.retrying).to.equal(true);
    });
  }

  it('names the missing settings and the invalid fields of jobs the operator skips; those are not retried', function () {
    expect(missingSettingsProblem(['spec.image (or --worker-image)', 'spec.nats.url'])).to.deep.equal({
      reason: 'WorkerSettingsMissing',
      message: 'the job sets no spec.image (or --worker-image); no spec.nats.url',
      retrying: false,
    });
    expect(invalidSpecProblem(['spec.nodes: too small'])).to.deep.include({
      reason: 'InvalidSpec',
      retrying: false,
    });
  });
});
