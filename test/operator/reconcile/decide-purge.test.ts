import { expect } from 'chai';
import type { BaclJob } from '../../../common/internal.js';
import {
  decide,
  purgeContainer,
  transitionEvents,
  type ObservedPurgePod,
} from '../../../operator/internal.js';
import { at, condition, observed, patched, pod, runningJob, summarize } from './fixtures.js';

/** A job deleted at t0 + 60 s with runPolicy.deleteRunDataOnDelete, its worker pods already gone. */
function deleting(deleteRunDataOnDelete = true): BaclJob {
  const current = runningJob({ runPolicy: { deleteRunDataOnDelete } });
  return { ...current, metadata: { ...current.metadata, deletionTimestamp: at(60).toISOString() } };
}

const purge = (
  phase: ObservedPurgePod['phase'],
  extra: Partial<ObservedPurgePod> = {},
): ObservedPurgePod => ({
  name: 'lvis-purge',
  phase,
  createdAt: at(60).toISOString(),
  ...extra,
});
const gone = (purgePod?: ObservedPurgePod) =>
  observed([], { configMap: false, service: false, ...(purgePod ? { purgePod } : {}) });
const uri = 's3://bacl/runs/ml/lvis/uid-1/';

describe('operator/reconcile/decide: purging the run data on deletion (ADR 0037)', function () {
  // [what, job, observed, now, actions, RunDataPurged condition]
  const table: [string, BaclJob, ReturnType<typeof observed>, Date, string[], string | undefined][] = [
    [
      'waits while a worker pod is still stopping (it may write a last checkpoint)',
      deleting(),
      observed([pod('representation', 0, 0, 'Running', { deletionTimestamp: at(60).toISOString() })], {
        configMap: false,
        service: false,
      }),
      at(61),
      [],
      undefined,
    ],
    [
      'creates the purge pod once every worker pod is gone, and wakes at the timeout',
      deleting(),
      gone(),
      at(61),
      [`CreatePurgePod lvis-purge ${uri}`, 'RequeueAfter 600s'],
      undefined,
    ],
    [
      'waits for a running purge pod, until its timeout',
      deleting(),
      gone(purge('Running')),
      at(160),
      ['RequeueAfter 500s'],
      undefined,
    ],
    [
      'lets the job go once the purge pod succeeded, deleting the pod first',
      deleting(),
      gone(purge('Succeeded')),
      at(90),
      ['DeletePurgePod lvis-purge (purged)', 'RemoveFinalizer'],
      undefined,
    ],
    [
      'holds the job with RunDataPurged=False PurgeFailed when the purge pod failed',
      deleting(),
      gone(purge('Failed', { reason: 'Error (exit 1)' })),
      at(90),
      [],
      'False PurgeFailed',
    ],
    [
      'holds the job with RunDataPurged=False PurgeTimedOut when the purge pod overran',
      deleting(),
      gone(purge('Pending', { reason: 'ImagePullBackOff' })),
      at(660),
      [],
      'False PurgeTimedOut',
    ],
    [
      'waits while a purge pod is being deleted (a retry), then creates a new one',
      deleting(),
      gone(purge('Failed', { deletionTimestamp: at(100).toISOString() })),
      at(100),
      [],
      undefined,
    ],
    [
      'lets the job go, keeping the data, when deleteRunDataOnDelete was turned off after a failure',
      patched(deleting(), { deleteRunDataOnDelete: false }),
      gone(purge('Failed')),
      at(120),
      ['DeletePurgePod lvis-purge (kept)', 'RemoveFinalizer'],
      undefined,
    ],
    [
      'never creates a purge pod when not asked to',
      deleting(false),
      gone(),
      at(61),
      ['RemoveFinalizer'],
      undefined,
    ],
  ];
  for (const [what, job, world, now, actions, purged] of table)
    it(what, function () {
      const decision = decide(job, world, now);
      expect(summarize(decision.actions)).to.deep.equal(actions);
      expect(condition(decision.status, 'RunDataPurged')).to.equal(purged);
      // Deleting never touches the rest of the status.
      expect({ ...decision.status, conditions: undefined }).to.deep.equal({
        ...job.status,
        conditions: undefined,
      });
    });

  it('says why the purge failed and both ways out, and records one Warning event for it', function () {
    const job = deleting();
    const decision = decide(job, gone(purge('Failed', { reason: 'Error (exit 1)' })), at(90));
    const message = decision.status.conditions?.find((c) => c.type === 'RunDataPurged')?.message ?? '';
    expect(message).to.include(`purge pod lvis-purge failed to delete ${uri} (Error (exit 1))`);
    expect(message).to.include('kubectl logs lvis-purge -n ml');
    expect(message).to.include('retry: kubectl delete pod lvis-purge -n ml');
    expect(message).to.include(`"deleteRunDataOnDelete":false`);
    const events = transitionEvents(job.status, decision.status);
    expect(events.map((e) => `${e.type} ${e.reason}`)).to.deep.equal(['Warning PurgeFailed']);
    // The same failure seen again is no new event.
    expect(
      transitionEvents(
        decision.status,
        decide({ ...job, status: decision.status }, gone(purge('Failed')), at(95)).status,
      ),
    ).to.deep.equal([]);
  });

  it('takes the timeout from purgeTimeoutSeconds', function () {
    const decision = decide(deleting(), gone(purge('Running')), at(100), { purgeTimeoutSeconds: 30 });
    expect(condition(decision.status, 'RunDataPurged')).to.equal('False PurgeTimedOut');
    const early = decide(deleting(), gone(), at(61), { purgeTimeoutSeconds: 30 });
    expect(summarize(early.actions).at(-1)).to.equal('RequeueAfter 30s');
  });

  it('builds the purge pod: worker image, the job Secret by reference, the prefix as argument, no token', function () {
    const action = decide(deleting(), gone(), at(61)).actions[0];
    if (action?.type !== 'CreatePurgePod') return expect.fail(`expected CreatePurgePod, got ${action?.type}`);
    const { pod: created } = action;
    const job = deleting();
    const container = created.spec?.containers[0];
    expect(container?.name).to.equal(purgeContainer);
    expect(container?.image).to.equal(job.spec.image);
    expect(container?.args).to.deep.equal(['purge', uri]);
    expect(container?.envFrom).to.deep.equal([{ secretRef: { name: job.spec.s3.credentialsSecret } }]);
    expect(container?.env?.every((e) => e.valueFrom === undefined)).to.equal(true);
    expect(created.spec?.restartPolicy).to.equal('Never');
    expect(created.spec?.automountServiceAccountToken).to.equal(false);
    expect(created.metadata?.ownerReferences?.[0]).to.include({ uid: 'uid-1', controller: true });
    expect(created.metadata?.labels).to.include({
      'app.kubernetes.io/managed-by': 'bacl-operator',
      'bacl.dev/job': 'lvis',
    });
  });
});
