import { expect } from 'chai';
import { decide } from '../../../operator/internal.js';
import { at, condition, job, observed, pod, summarize, t0, withStatus } from './fixtures.js';

describe('operator/reconcile/decide: a job from creation to success', function () {
  it('a new job: finalizer, ConfigMap, Service, one pod per node; Created and Pending', function () {
    const fresh = job({ nodes: 2 });
    fresh.metadata.finalizers = [];
    const decision = decide(fresh, observed([], { configMap: false, service: false }), t0);
    expect(summarize(decision.actions)).to.deep.equal([
      'AddFinalizer',
      'CreateConfigMap',
      'CreateService',
      'CreatePod lvis-rep-0-0',
      'CreatePod lvis-rep-0-1',
    ]);
    expect(decision.status).to.deep.include({
      state: 'Pending',
      stage: 'representation',
      attempt: 0,
      restarts: 0,
      observedGeneration: 1,
      startTime: t0.toISOString(),
    });
    expect(decision.status.workers).to.deep.equal({
      desired: 2,
      ready: 0,
      active: 0,
      succeeded: 0,
      failed: 0,
      summary: '0/2',
    });
    expect(condition(decision.status, 'Created')).to.equal('True JobCreated');
    expect(condition(decision.status, 'Running')).to.equal('False WorkersPending');
  });

  it('is level-triggered: the same world decided again creates nothing new and changes no transition time', function () {
    const first = decide(job({ nodes: 2 }), observed(), t0);
    const pods = [pod('representation', 0, 0, 'Pending'), pod('representation', 0, 1, 'Pending')];
    const second = decide(withStatus(job({ nodes: 2 }), first), observed(pods), at(30));
    const third = decide(withStatus(job({ nodes: 2 }), second), observed(pods), at(60));
    expect(summarize(second.actions)).to.deep.equal([]);
    expect(third.status).to.deep.equal(second.status);
    const transitions = (status: typeof first.status) =>
      status.conditions?.map((c) => `${c.type} ${c.status} ${c.lastTransitionTime}`);
    expect(transitions(second.status)).to.deep.equal(transitions(first.status));
  });

  it('names why pods wait (unschedulable, image pull) in the Running condition', function () {
    const first = decide(job({ nodes: 2 }), observed(), t0);
    const pods = [
      pod('representation', 0, 0, 'Running'),
      pod('representation', 0, 1, 'Pending', { reason: 'Unschedulable: 0/4 nodes have 8 nvidia.com/gpu' }),
    ];
    const decision = decide(withStatus(job({ nodes: 2 }), first), observed(pods), at(30));
    const running = decision.status.conditions?.find((c) => c.type === 'Running');
    expect(running?.message).to.equal(
      'waiting for lvis-rep-0-1 (Pending: Unschedulable: 0/4 nodes have 8 nvidia.com/gpu)',
    );
    expect(decision.status.workers?.summary).to.equal('1/2');
  });

  it('recreates a missing pod while the group has not started (never a restart on a lagging cache)', function () {
    const first = decide(job({ nodes: 2 }), observed(), t0);
    const decision = decide(
      withStatus(job({ nodes: 2 }), first),
      observed([pod('representation', 0, 0, 'Pending')]),
      at(1),
    );
    expect(summarize(decision.actions)).to.deep.equal(['CreatePod lvis-rep-0-1']);
    expect(decision.status.restarts).to.equal(0);
  });

  it('Running once every rank runs; progress and checkpoints of this attempt folded into status', function () {
    const first = decide(job({ nodes: 2 }), observed(), t0);
    const pods = [pod('representation', 0, 0, 'Running'), pod('representation', 0, 1, 'Running')];
    const checkpoint = {
      uri: 's3://bacl/runs/ml/lvis/uid-1/representation/ckpt-1000',
      stage: 'representation' as const,
      step: 1000,
      time: at(50).toISOString(),
    };
    const decision = decide(
      withStatus(job({ nodes: 2 }), first),
      observed(pods, {
        progress: {
          attempt: 0,
          stage: 'representation',
          epoch: 2,
          step: 1234,
          totalSteps: 5000,
          loss: 1.234567,
          imagesPerSecond: 88.04,
          etaSeconds: 3601.4,
        },
        checkpoint,
      }),
      at(60),
    );
    expect(decision.status.state).to.equal('Running');
    expect(condition(decision.status, 'Running')).to.equal('True WorkersRunning');
    expect(decision.status.workers?.summary).to.equal('2/2');
    expect(decision.status.progress).to.deep.equal({
      stage: 'representation',
      epoch: 2,
      step: 1234,
      totalSteps: 5000,
      percent: 24.6,
      imagesPerSecond: 88,
      loss: 1.2346,
      etaSeconds: 3601,
      summary: '24%',
    });
    expect(decision.status.lastCheckpoint).to.deep.equal(checkpoint);
  });

  it('ignores progress of another attempt and never moves the checkpoint backwards', function () {
    const newer = {
      uri: 's3://x/ckpt-2000',
      stage: 'representation' as const,
      step: 2000,
      time: at(10).toISOString(),
    };
    const older = {
      uri: 's3://x/ckpt-1000',
      stage: 'representation' as const,
      step: 1000,
      time: at(5).toISOString(),
    };
    const current = job({}, { ...decide(job(), observed(), t0).status, lastCheckpoint: newer, attempt: 1 });
    const decision = decide(
      current,
      observed([pod('representation', 1, 0, 'Running')], {
        checkpoint: older,
        progress: { attempt: 0, stage: 'representation', step: 10, totalSteps: 100 },
      }),
      at(20),
    );
    expect(decision.status.lastCheckpoint).to.deep.equal(newer);
    expect(decision.status.progress).to.equal(undefined);
  });

  it('moves representation -> classifier -> evaluate when every rank of a stage succeeded, staying Running', function () {
    let current = job({ nodes: 2 });
    current = withStatus(current, decide(current, observed(), t0));
    const running = [pod('representation', 0, 0, 'Running'), pod('representation', 0, 1, 'Running')];
    current = withStatus(current, decide(current, observed(running), at(10)));

    const onlyOneDone = [pod('representation', 0, 0, 'Succeeded'), pod('representation', 0, 1, 'Running')];
    const waiting = decide(current, observed(onlyOneDone), at(20));
    expect(waiting.status.stage).to.equal('representation');
    expect(summarize(waiting.actions)).to.deep.equal([]);

    const represented = [pod('representation', 0, 0, 'Succeeded'), pod('representation', 0, 1, 'Succeeded')];
    const toClassifier = decide(current, observed(represented), at(30));
    expect(toClassifier.status.stage).to.equal('classifier');
    expect(toClassifier.status.state).to.equal('Running');
    expect(condition(toClassifier.status, 'Running')).to.equal('True StageStarting');
    expect(summarize(toClassifier.actions)).to.deep.equal([
      'CreatePod lvis-cls-0-0',
      'CreatePod lvis-cls-0-1',
    ]);
    current = withStatus(current, toClassifier);

    const classified = [
      ...represented,
      pod('classifier', 0, 0, 'Succeeded'),
      pod('classifier', 0, 1, 'Succeeded'),
    ];
    const toEvaluate = decide(current, observed(classified), at(40));
    expect(toEvaluate.status.stage).to.equal('evaluate');
    // The evaluate stage runs on every node too (ADR 0029), and succeeds once every rank did.
    expect(summarize(toEvaluate.actions)).to.deep.equal([
      'CreatePod lvis-eval-0-0',
      'CreatePod lvis-eval-0-1',
    ]);
    expect(toEvaluate.status.workers?.desired).to.equal(2);
    current = withStatus(current, toEvaluate);
    const results = { AP: 0.25, uri: 's3://bacl/runs/ml/lvis/uid-1/eval/metrics.json' };
    const evaluating = [...classified, pod('evaluate', 0, 0, 'Succeeded'), pod('evaluate', 0, 1, 'Running')];
    const stillEvaluating = decide(current, observed(evaluating, { results }), at(50));
    expect(stillEvaluating.status.state).to.equal('Running');
    expect(summarize(stillEvaluating.actions)).to.deep.equal([]);
    const evaluated = [...classified, pod('evaluate', 0, 0, 'Succeeded'), pod('evaluate', 0, 1, 'Succeeded')];
    const succeeded = decide(current, observed(evaluated, { results }), at(60));
    expect(succeeded.status.state).to.equal('Succeeded');
    expect(succeeded.status.results).to.deep.equal(results);
  });

  it('succeeds with the evaluate metrics in status.results, rounded, and ends with completionTime', function () {
    const current = job({}, { ...decide(job(), observed(), t0).status, stage: 'evaluate' });
    const results = {
      AP: 0.263149,
      APr: 0.187449,
      APc: 0.25,
      APf: 0.3012,
      uri: 's3://bacl/runs/ml/lvis/uid-1/eval/metrics.json',
    };
    const decision = decide(current, observed([pod('evaluate', 0, 0, 'Succeeded')], { results }), at(100));
    expect(decision.status.state).to.equal('Succeeded');
    expect(decision.status.results).to.deep.equal({ ...results, AP: 0.2631, APr: 0.1874 });
    expect(decision.status.completionTime).to.equal(at(100).toISOString());
    expect(condition(decision.status, 'Succeeded')).to.equal('True JobSucceeded');
    expect(condition(decision.status, 'Failed')).to.equal(undefined);
    expect(summarize(decision.actions)).to.deep.equal([]);
  });

  it('fails with ResultsMissing instead of waiting forever when evaluation wrote no metrics', function () {
    const current = job({}, { ...decide(job(), observed(), t0).status, stage: 'evaluate' });
    const decision = decide(current, observed([pod('evaluate', 0, 0, 'Succeeded')]), at(100));
    expect(decision.status.state).to.equal('Failed');
    expect(condition(decision.status, 'Failed')).to.equal('True ResultsMissing');
  });
});
