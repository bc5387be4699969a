import { expect } from 'chai';
import { decide, type ObservedPod } from '../../../operator/internal.js';
import { at, condition, observed, pod, runningJob, summarize, withStatus } from './fixtures.js';

const checkpoint = {
  uri: 's3://bacl/runs/ml/lvis/uid-1/representation/ckpt-1000',
  stage: 'representation' as const,
  step: 1000,
  time: at(5).toISOString(),
};

describe('operator/reconcile/decide: failures, restarts and the backoff limit', function () {
  const failures: { what: string; pods: ObservedPod[]; reason: string; message: RegExp }[] = [
    {
      what: 'a worker pod failed',
      pods: [
        pod('representation', 0, 0, 'Running'),
        pod('representation', 0, 1, 'Failed', { reason: 'OOMKilled (exit 137)' }),
      ],
      reason: 'WorkerFailed',
      message:
        /^worker pod lvis-rep-0-1 \(node rank 1\) failed: OOMKilled \(exit 137\); restarting stage representation from checkpoint .*ckpt-1000 \(step 1000\) \(restart 1 of 3\)$/,
    },
    {
      what: "a worker pod's node was lost (Terminating past the grace period)",
      pods: [
        pod('representation', 0, 0, 'Running'),
        pod('representation', 0, 1, 'Running', { deletionTimestamp: at(100).toISOString() }),
      ],
      reason: 'NodeLost',
      message: /lvis-rep-0-1 \(node rank 1\) has been terminating for over 300s past its deadline/,
    },
    {
      what: 'a worker pod disappeared while the group ran',
      pods: [pod('representation', 0, 0, 'Running')],
      reason: 'WorkerLost',
      message: /the pod of node rank 1 disappeared while the group was running/,
    },
  ];
  for (const { what, pods, reason, message } of failures) {
    it(`restarts the whole group from the last checkpoint when ${what}`, function () {
      const decision = decide(runningJob(), observed(pods, { checkpoint }), at(401));
      expect(decision.status).to.deep.include({ state: 'Restarting', attempt: 1, restarts: 1 });
      expect(condition(decision.status, 'Restarting')).to.equal(`True ${reason}`);
      expect(condition(decision.status, 'Running')).to.equal('False Restarting');
      const restarting = decision.status.conditions?.find((c) => c.type === 'Restarting');
      expect(restarting?.message).to.match(message);
      // Survivors of attempt 0 are stopped; attempt 1 waits until they are gone (or force-deleted, node lost).
      const deletes = summarize(decision.actions).filter((a) => a.startsWith('DeletePod'));
      expect(deletes).to.deep.equal(
        pods
          .filter((p) => p.phase === 'Running')
          .map((p) => `DeletePod ${p.name}${p.deletionTimestamp ? ' (force)' : ''}`),
      );
      expect(summarize(decision.actions).some((a) => a.startsWith('CreatePod'))).to.equal(
        pods.every((p) => p.phase !== 'Running' || p.deletionTimestamp !== undefined),
      );
    });
  }

  it('waits within the grace period for a terminating pod, and asks to be woken when it ends', function () {
    const pods = [
      pod('representation', 0, 0, 'Running'),
      pod('representation', 0, 1, 'Running', { deletionTimestamp: at(100).toISOString() }),
    ];
    const decision = decide(runningJob(), observed(pods), at(150));
    expect(decision.status.restarts).to.equal(0);
    expect(summarize(decision.actions)).to.deep.equal(['RequeueAfter 250s']);
  });

  it('starts the new attempt only after the old pods are gone, then recovers to Running', function () {
    let current = runningJob();
    const failed = [pod('representation', 0, 0, 'Running'), pod('representation', 0, 1, 'Failed')];
    current = withStatus(current, decide(current, observed(failed), at(20)));

    const oldStopping = [
      pod('representation', 0, 0, 'Running', { deletionTimestamp: at(50).toISOString() }),
      pod('representation', 0, 1, 'Failed'),
    ];
    const waiting = decide(current, observed(oldStopping), at(21));
    expect(summarize(waiting.actions)).to.deep.equal(['RequeueAfter 329s']);
    expect(waiting.status.state).to.equal('Restarting');
    current = withStatus(current, waiting);

    const oldGone = [pod('representation', 0, 1, 'Failed')];
    const creating = decide(current, observed(oldGone), at(30));
    expect(summarize(creating.actions)).to.deep.equal(['CreatePod lvis-rep-1-0', 'CreatePod lvis-rep-1-1']);
    expect(creating.status.restarts).to.equal(1);
    current = withStatus(current, creating);

    const newGroup = [
      ...oldGone,
      pod('representation', 1, 0, 'Running'),
      pod('representation', 1, 1, 'Running'),
    ];
    const recovered = decide(current, observed(newGroup), at(40));
    expect(recovered.status.state).to.equal('Running');
    expect(condition(recovered.status, 'Restarting')).to.equal('False GroupRecovered');
    expect(recovered.status.restarts).to.equal(1);
    // The failed pod of attempt 0 is history: it never triggers another restart.
    expect(decide(withStatus(current, recovered), observed(newGroup), at(50)).status.restarts).to.equal(1);
  });

  it('force-deletes an old pod stuck Terminating past the grace period instead of waiting forever', function () {
    let current = runningJob();
    current = withStatus(current, decide(current, observed([pod('representation', 0, 1, 'Failed')]), at(20)));
    const stuck = [pod('representation', 0, 0, 'Running', { deletionTimestamp: at(30).toISOString() })];
    const decision = decide(current, observed(stuck), at(331));
    expect(summarize(decision.actions)).to.deep.equal([
      'DeletePod lvis-rep-0-0 (force)',
      'CreatePod lvis-rep-1-0',
      'CreatePod lvis-rep-1-1',
    ]);
  });

  it('fails with BackoffLimitExceeded on the failure after the last allowed restart, and stops the survivors', function () {
    let current = runningJob({ runPolicy: { backoffLimit: 1 } });
    current = withStatus(current, decide(current, observed([pod('representation', 0, 1, 'Failed')]), at(20)));
    expect(current.status?.restarts).to.equal(1);
    const secondFailure = [
      pod('representation', 1, 0, 'Running'),
      pod('representation', 1, 1, 'Failed', { reason: 'Error (exit 1)' }),
    ];
    const decision = decide(current, observed(secondFailure), at(30));
    expect(decision.status.state).to.equal('Failed');
    expect(condition(decision.status, 'Failed')).to.equal('True BackoffLimitExceeded');
    expect(decision.status.conditions?.find((c) => c.type === 'Failed')?.message).to.equal(
      'worker pod lvis-rep-1-1 (node rank 1) failed: Error (exit 1); backoffLimit 1 reached (1 restarts)',
    );
    expect(condition(decision.status, 'Running')).to.equal('False JobFailed');
    expect(condition(decision.status, 'Restarting')).to.equal('False JobFailed');
    expect(decision.status.completionTime).to.equal(at(30).toISOString());
    expect(summarize(decision.actions)).to.deep.equal(['DeletePod lvis-rep-1-0']);
  });

  it('backoffLimit 0: the first failure fails the job', function () {
    const decision = decide(
      runningJob({ runPolicy: { backoffLimit: 0 } }),
      observed([pod('representation', 0, 0, 'Failed')]),
      at(20),
    );
    expect(decision.status).to.deep.include({ state: 'Failed', restarts: 0, attempt: 0 });
  });

  // LossDiverged (bacl-worker exit 5): a restart from the same checkpoint with the same config diverges again.
  const divergences: { what: string; pods: ObservedPod[]; restarts: number }[] = [
    {
      what: 'a rank diverged (exit 5)',
      pods: [
        pod('representation', 0, 0, 'Running'),
        pod('representation', 0, 1, 'Failed', { reason: 'Error (exit 5)', exitCode: 5 }),
      ],
      restarts: 0,
    },
    {
      what: 'a rank diverged while its peer failed first with a lost-peer error',
      pods: [
        pod('representation', 0, 0, 'Failed', { reason: 'Error (exit 1)', exitCode: 1 }),
        pod('representation', 0, 1, 'Failed', { reason: 'Error (exit 5)', exitCode: 5 }),
      ],
      restarts: 0,
    },
    {
      what: 'a rank diverged with restarts left and some already used',
      pods: [pod('representation', 2, 0, 'Running'), pod('representation', 2, 1, 'Failed', { exitCode: 5 })],
      restarts: 2,
    },
  ];
  for (const { what, pods, restarts } of divergences) {
    it(`fails with LossDiverged, not restarting the group, when ${what}`, function () {
      const job = runningJob();
      const attempt = pods[0]!.attempt;
      const current = { ...job, status: { ...job.status, attempt, restarts, lastCheckpoint: checkpoint } };
      const decision = decide(current, observed(pods, { checkpoint }), at(401));
      expect(decision.status).to.deep.include({ state: 'Failed', restarts, attempt });
      expect(condition(decision.status, 'Failed')).to.equal('True LossDiverged');
      const failed = decision.status.conditions?.find((c) => c.type === 'Failed');
      expect(failed?.message).to.match(
        /^worker pod lvis-rep-\d-1 \(node rank 1\) stopped with LossDiverged \(exit 5\): .* Try this: lower the learning rate .*; not restarted: the last good checkpoint s3:\/\/bacl\/runs\/ml\/lvis\/uid-1\/representation\/ckpt-1000 \(step 1000\) is kept$/,
      );
      expect(decision.status.lastCheckpoint).to.deep.equal(checkpoint);
      expect(condition(decision.status, 'Restarting')).to.not.equal('True LossDiverged');
      // No new group; the running survivors are stopped (cleanPodPolicy Running).
      const actions = summarize(decision.actions);
      expect(actions.filter((a) => a.startsWith('CreatePod'))).to.deep.equal([]);
      expect(actions.filter((a) => a.startsWith('DeletePod'))).to.deep.equal(
        pods.filter((p) => p.phase === 'Running').map((p) => `DeletePod ${p.name}`),
      );
    });
  }

  it('says no checkpoint is kept when a stage diverged before its first checkpoint', function () {
    const decision = decide(
      runningJob(),
      observed([
        pod('representation', 0, 0, 'Failed', { exitCode: 5 }),
        pod('representation', 0, 1, 'Failed'),
      ]),
      at(20),
    );
    expect(condition(decision.status, 'Failed')).to.equal('True LossDiverged');
    expect(decision.status.conditions?.find((c) => c.type === 'Failed')?.message).to.match(
      /; not restarted: stage representation had written no checkpoint yet$/,
    );
  });

  it('restarts as before for any other exit code', function () {
    const decision = decide(
      runningJob(),
      observed([
        pod('representation', 0, 0, 'Failed', { exitCode: 1 }),
        pod('representation', 0, 1, 'Running'),
      ]),
      at(20),
    );
    expect(condition(decision.status, 'Restarting')).to.equal('True WorkerFailed');
  });

  it('never restarts a terminal job, whatever its pods do', function () {
    const failedJob = withStatus(
      runningJob({ runPolicy: { backoffLimit: 0 } }),
      decide(
        runningJob({ runPolicy: { backoffLimit: 0 } }),
        observed([pod('representation', 0, 0, 'Failed')]),
        at(20),
      ),
    );
    const later = decide(
      failedJob,
      observed([pod('representation', 0, 0, 'Failed'), pod('representation', 0, 1, 'Failed')]),
      at(500),
    );
    expect(later.status).to.deep.equal(failedJob.status);
    expect(summarize(later.actions)).to.deep.equal([]);
  });
});
