// The run policy's limits with the real worker, on the whole system: a job whose workers keep dying uses up
// backoffLimit and fails with BackoffLimitExceeded; a job that runs past activeDeadlineSeconds fails with
// DeadlineExceeded. Either way no pod is left running, and the pods left are those cleanPodPolicy keeps.
import { expect } from 'chai';
import type { BaclJob } from '../../../common/index.js';
import { waitFor } from '../../harness/index.js';
import { patchSpec } from '../../operator/controller/env.js';
import { recordReliability } from '../reliability/entries.js';
import {
  E2eSystem,
  e2eWorld,
  podOf,
  referenceRun,
  runsAttempt,
  seconds,
  stepsLostAt,
  waitForStep,
  type ReferenceRun,
} from '../fixture/index.js';

/** The backoff job's spec.terminationGracePeriodSeconds: see where it is set. */
const podGraceSeconds = 3;
const failedCondition = (job: BaclJob) => job.status?.conditions?.find((c) => c.type === 'Failed');
const active = (phase: string | undefined) => phase !== 'Succeeded' && phase !== 'Failed';

describe('e2e fault: backoffLimit exhausted and activeDeadlineSeconds passed, with the real worker', function () {
  this.timeout(1_500_000);
  let system: E2eSystem | undefined;
  let reference: ReferenceRun;
  let name = '';

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    system = await E2eSystem.start(w, { prefix: 'fault-policy' });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
  });

  it('a rank killed in every attempt uses up backoffLimit: Failed BackoffLimitExceeded, finished pods kept (cleanPodPolicy Running)', async function () {
    const s = system!;
    name = 'backoff';
    await s.create(name, (job) => {
      job.spec.runPolicy = { ...job.spec.runPolicy, backoffLimit: 1, cleanPodPolicy: 'Running' };
      // The surviving rank 0 is blocked in an all-reduce with its killed peer and cannot act on SIGTERM until
      // the collective's 10 s peer timeout (nor write a final checkpoint: its step cannot complete); a short
      // grace period (ADR 0041) lets the kubelet SIGKILL it after 3 s, so each stop of the group takes 3 s, not 10.
      job.spec.terminationGracePeriodSeconds = podGraceSeconds;
    });
    let lastKillAt = 0;
    for (const attempt of [0, 1]) {
      await s.waitForJob(name, `attempt ${attempt} to run`, (job) => runsAttempt(job, attempt));
      await waitForStep(s, podOf(name, 'rep', attempt, 0), 1);
      lastKillAt = Date.now();
      process.kill(s.rankPid(podOf(name, 'rep', attempt, 1)), 'SIGKILL');
    }
    const job = await s.finished(name);
    const failedAfter = seconds(lastKillAt);
    // cleanPodPolicy Running: the pods still running are deleted; the finished ones stay for their logs.
    const pods = await waitFor(
      'no pod of the job left running',
      async () => {
        const current = await s.pods(name);
        return current.every((pod) => !active(pod.status?.phase)) ? current : undefined;
      },
      {
        timeoutMs: 300_000,
        last: async () => (await s.pods(name)).map((p) => [p.metadata?.name, p.status?.phase]),
      },
    );
    const kept = pods.map((pod) => `${pod.metadata?.name} ${pod.status?.phase}`).sort();
    const condition = failedCondition(job);
    const { lost } = stepsLostAt(s, name, 0);
    recordReliability({
      kind: 'fault',
      id: 'backoff-limit',
      test: this.test!.fullTitle(),
      fault: `backoffLimit 1, terminationGracePeriodSeconds ${podGraceSeconds}; node rank 1's rank process SIGKILLed in attempt 0 and again in attempt 1 (each once rank 0 had logged a step)`,
      happened:
        `the first kill restarted the group (restart 1 of 1); the second failed the job: ` +
        `${condition?.reason}: "${condition?.message}"; pods left (cleanPodPolicy Running): ${kept.join(', ')}`,
      outcome: { state: job.status?.state === 'Failed' ? 'Failed' : 'Succeeded', reason: condition?.reason },
      recoverSeconds: failedAfter,
      stepsLost: lost,
      finalAp: null,
      referenceAp: reference.ap,
      bitwiseEqual: null,
    });

    expect(job.status?.state).to.equal('Failed');
    expect(condition?.reason).to.equal('BackoffLimitExceeded');
    expect(condition?.message).to.contain(podOf(name, 'rep', 1, 1));
    expect(job.status?.restarts).to.equal(1);
    expect(kept, 'the killed pods, Failed, are kept').to.include.members([
      `${podOf(name, 'rep', 0, 1)} Failed`,
      `${podOf(name, 'rep', 1, 1)} Failed`,
    ]);
  });

  it('a job past activeDeadlineSeconds mid-training: Failed DeadlineExceeded, every pod deleted (cleanPodPolicy All)', async function () {
    const s = system!;
    name = 'deadline';
    await s.create(name, (job) => {
      job.spec.runPolicy = { ...job.spec.runPolicy, cleanPodPolicy: 'All' };
    });
    // The deadline is set once training runs, to pass a few seconds later: mid-stage on any machine.
    await waitForStep(s, podOf(name, 'rep', 0, 0), 1);
    const started = await s.job(name);
    const startTime = Date.parse(started?.status?.startTime ?? '');
    const deadline = Math.ceil((Date.now() - startTime) / 1000) + 3;
    await patchSpec(s.w, s.namespace, name, { runPolicy: { activeDeadlineSeconds: deadline } });
    const job = await s.finished(name);
    const failedAfter = seconds(startTime + deadline * 1000);
    const condition = failedCondition(job);
    await waitFor('every pod of the job to be deleted', async () => (await s.pods(name)).length === 0, {
      timeoutMs: 300_000,
      last: async () => (await s.pods(name)).map((p) => [p.metadata?.name, p.status?.phase]),
    });
    recordReliability({
      kind: 'fault',
      id: 'active-deadline',
      test: this.test!.fullTitle(),
      fault: `activeDeadlineSeconds set to ${deadline} once the representation stage trained (cleanPodPolicy All)`,
      happened: `the job failed ${failedAfter} s after the deadline, in its ${job.status?.stage} stage: ${condition?.reason}: "${condition?.message}"; every pod deleted`,
      outcome: { state: job.status?.state === 'Failed' ? 'Failed' : 'Succeeded', reason: condition?.reason },
      recoverSeconds: failedAfter,
      stepsLost: null,
      finalAp: null,
      referenceAp: reference.ap,
      bitwiseEqual: null,
    });

    expect(job.status?.state).to.equal('Failed');
    expect(condition?.reason).to.equal('DeadlineExceeded');
    expect(condition?.message).to.contain(`activeDeadlineSeconds=${deadline}`);
    // Which stage the deadline caught depends on the machine's speed (a fast one finishes the 8 representation
    // steps within the 3 s margin): any stage before Succeeded proves the deadline, not the stage.
    expect(job.status?.stage, 'it failed before finishing').to.be.oneOf([
      'representation',
      'classifier',
      'evaluate',
    ]);
  });
});
