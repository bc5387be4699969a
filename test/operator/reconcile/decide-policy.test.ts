import { expect } from 'chai';
import type { CleanPodPolicy } from '../../../common/internal.js';
import { decide } from '../../../operator/internal.js';
import {
  at,
  condition,
  job,
  observed,
  patched,
  pod,
  runningJob,
  summarize,
  t0,
  withStatus,
} from './fixtures.js';

const running = [pod('representation', 0, 0, 'Running'), pod('representation', 0, 1, 'Running')];

describe('operator/reconcile/decide: run policy', function () {
  describe('changing the run policy of a live job', function () {
    it('is observed (observedGeneration) without touching the running group', function () {
      const current = patched(runningJob(), { backoffLimit: 10, cleanPodPolicy: 'All' });
      current.metadata.generation = 2;
      const decision = decide(current, observed(running), at(60));
      expect(summarize(decision.actions)).to.deep.equal([]);
      expect(decision.status).to.deep.include({
        observedGeneration: 2,
        restarts: 0,
        attempt: 0,
        state: 'Running',
      });
      expect(decision.status.conditions?.find((c) => c.type === 'Running')?.observedGeneration).to.equal(2);
    });

    it('raising backoffLimit does not bring a failed job back', function () {
      let current = runningJob({ runPolicy: { backoffLimit: 0 } });
      current = withStatus(
        current,
        decide(current, observed([pod('representation', 0, 0, 'Failed')]), at(20)),
      );
      const decision = decide(
        patched(current, { backoffLimit: 5 }),
        observed([pod('representation', 0, 0, 'Failed')]),
        at(30),
      );
      expect(decision.status.state).to.equal('Failed');
      expect(summarize(decision.actions)).to.deep.equal([]);
    });
  });

  describe('activeDeadlineSeconds', function () {
    it('asks to be woken at the deadline while it has not passed', function () {
      const decision = decide(
        runningJob({ runPolicy: { activeDeadlineSeconds: 3600 } }),
        observed(running),
        at(600),
      );
      expect(summarize(decision.actions)).to.deep.equal(['RequeueAfter 3000s']);
      expect(decision.status.state).to.equal('Running');
    });

    it('fails the job with DeadlineExceeded and stops its pods once it passed', function () {
      const decision = decide(
        runningJob({ runPolicy: { activeDeadlineSeconds: 3600 } }),
        observed(running),
        at(3600),
      );
      expect(decision.status.state).to.equal('Failed');
      expect(condition(decision.status, 'Failed')).to.equal('True DeadlineExceeded');
      expect(decision.status.conditions?.find((c) => c.type === 'Failed')?.message).to.equal(
        'the job ran 3600s, past activeDeadlineSeconds=3600',
      );
      expect(summarize(decision.actions)).to.deep.equal(['DeletePod lvis-rep-0-0', 'DeletePod lvis-rep-0-1']);
    });
  });

  describe('suspend', function () {
    it('deletes the pods, stops the deadline clock, and is no restart', function () {
      const suspended = patched(runningJob({ runPolicy: { activeDeadlineSeconds: 60 } }), { suspend: true });
      const decision = decide(suspended, observed(running), at(30));
      expect(summarize(decision.actions)).to.deep.equal(['DeletePod lvis-rep-0-0', 'DeletePod lvis-rep-0-1']);
      expect(decision.status).to.deep.include({ state: 'Suspended', restarts: 0, attempt: 0 });
      expect(decision.status.startTime).to.equal(undefined);
      expect(condition(decision.status, 'Suspended')).to.equal('True JobSuspended');
      expect(condition(decision.status, 'Running')).to.equal('False JobSuspended');
      // Long past the deadline, a suspended job is still only suspended.
      const later = decide(withStatus(suspended, decision), observed([]), at(3600));
      expect(later.status.state).to.equal('Suspended');
      expect(summarize(later.actions)).to.deep.equal([]);
    });

    it('resumes as a new attempt from the checkpoint, with a fresh deadline clock and no restart counted', function () {
      const checkpoint = {
        uri: 's3://x/representation/ckpt-400',
        stage: 'representation' as const,
        step: 400,
        time: at(20).toISOString(),
      };
      let current = patched(runningJob(), { suspend: true });
      current = withStatus(current, decide(current, observed(running, { checkpoint }), at(30)));
      const resumed = patched(current, { suspend: false });
      const decision = decide(resumed, observed([]), at(100));
      expect(decision.status).to.deep.include({ attempt: 1, restarts: 0, startTime: at(100).toISOString() });
      expect(condition(decision.status, 'Suspended')).to.equal('False JobResumed');
      expect(decision.status.conditions?.find((c) => c.type === 'Suspended')?.message).to.equal(
        'stage representation resumed from checkpoint s3://x/representation/ckpt-400 (step 400)',
      );
      expect(summarize(decision.actions)).to.deep.equal(['CreatePod lvis-rep-1-0', 'CreatePod lvis-rep-1-1']);
    });

    it('a job created suspended creates no pods until resumed', function () {
      const decision = decide(
        job({ runPolicy: { suspend: true } }),
        observed([], { configMap: false, service: false }),
        t0,
      );
      expect(summarize(decision.actions)).to.deep.equal(['CreateConfigMap', 'CreateService']);
      expect(decision.status.state).to.equal('Suspended');
    });
  });

  describe('cleanPodPolicy when the job finishes', function () {
    const pods = [
      pod('representation', 0, 0, 'Succeeded'),
      pod('classifier', 0, 0, 'Running'),
      pod('classifier', 0, 1, 'Failed'),
    ];
    const cases: { policy: CleanPodPolicy; deleted: string[] }[] = [
      { policy: 'Running', deleted: ['DeletePod lvis-cls-0-0'] },
      {
        policy: 'All',
        deleted: ['DeletePod lvis-rep-0-0', 'DeletePod lvis-cls-0-0', 'DeletePod lvis-cls-0-1'],
      },
      { policy: 'None', deleted: [] },
    ];
    for (const { policy, deleted } of cases) {
      it(`${policy}: ${deleted.length === 0 ? 'keeps every pod' : deleted.join(', ')}`, function () {
        const current = job(
          { runPolicy: { cleanPodPolicy: policy, backoffLimit: 0 } },
          {
            ...decide(job(), observed(), t0).status,
            stage: 'classifier',
          },
        );
        const decision = decide(current, observed(pods), at(50));
        expect(decision.status.state).to.equal('Failed');
        expect(summarize(decision.actions)).to.deep.equal(deleted);
      });
    }

    it("force-deletes a finished job's pod stuck on a lost node, so nothing is left behind", function () {
      const current = job({ runPolicy: { backoffLimit: 0 } }, decide(job(), observed(), t0).status);
      const finished = withStatus(
        current,
        decide(current, observed([pod('representation', 0, 0, 'Failed')]), at(10)),
      );
      const stuck = [pod('representation', 0, 1, 'Running', { deletionTimestamp: at(20).toISOString() })];
      expect(summarize(decide(finished, observed(stuck), at(321)).actions)).to.deep.equal([
        'DeletePod lvis-rep-0-1 (force)',
      ]);
    });
  });

  describe('ttlSecondsAfterFinished', function () {
    const finishedJob = () => {
      const current = job(
        { runPolicy: { ttlSecondsAfterFinished: 600 } },
        {
          ...decide(job(), observed(), t0).status,
          stage: 'evaluate',
        },
      );
      const results = { AP: 0.25, uri: 's3://x/eval/metrics.json' };
      return withStatus(
        current,
        decide(current, observed([pod('evaluate', 0, 0, 'Succeeded')], { results }), at(100)),
      );
    };

    it('asks to be woken when the TTL runs out', function () {
      const decision = decide(finishedJob(), observed([pod('evaluate', 0, 0, 'Succeeded')]), at(400));
      expect(summarize(decision.actions)).to.deep.equal(['RequeueAfter 300s']);
    });

    it('deletes the job once it ran out', function () {
      const decision = decide(finishedJob(), observed([pod('evaluate', 0, 0, 'Succeeded')]), at(700));
      expect(summarize(decision.actions)).to.deep.equal(['DeleteJob']);
      expect(decision.status.state).to.equal('Succeeded');
    });
  });

  describe('the finalizer', function () {
    const deleting = (deleteRunDataOnDelete: boolean) => {
      const current = runningJob({ runPolicy: { deleteRunDataOnDelete } });
      return { ...current, metadata: { ...current.metadata, deletionTimestamp: at(60).toISOString() } };
    };
    const pods = [
      pod('representation', 0, 0, 'Running'),
      pod('representation', 0, 1, 'Running', { deletionTimestamp: at(0).toISOString() }),
    ];

    it('deletes the pods, ConfigMap and Service, keeps the run data, and lets the job go', function () {
      const decision = decide(deleting(false), observed(pods), at(60));
      expect(summarize(decision.actions)).to.deep.equal([
        'DeletePod lvis-rep-0-0',
        'DeleteConfigMap',
        'DeleteService',
        'RemoveFinalizer',
      ]);
    });

    it('deletes only what exists', function () {
      const decision = decide(deleting(false), observed([], { configMap: false, service: false }), at(60));
      expect(summarize(decision.actions)).to.deep.equal(['RemoveFinalizer']);
    });

    it('force-deletes pods on lost nodes and, asked to delete the run data, waits until every worker pod is gone', function () {
      const decision = decide(deleting(true), observed(pods), at(400));
      expect(summarize(decision.actions)).to.deep.equal([
        'DeletePod lvis-rep-0-0',
        'DeletePod lvis-rep-0-1 (force)',
        'DeleteConfigMap',
        'DeleteService',
      ]);
    });

    it('does nothing for a job being deleted without the finalizer', function () {
      const current = deleting(true);
      current.metadata.finalizers = [];
      expect(decide(current, observed(pods), at(60)).actions).to.deep.equal([]);
    });
  });
});
