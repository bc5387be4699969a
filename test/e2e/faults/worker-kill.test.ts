// Fault: a worker's rank process SIGKILLed mid-epoch (what the OOM killer or a crash does), on the whole system:
// the operator process, the real bacl-worker in every pod, NATS and S3. The pod's launcher announces the death on
// NATS, so rank 0 fails at once (ADR 0042), the pod fails, the operator restarts the stage's whole group from the
// last checkpoint (docs/adr/0034-fault-model.md), and the job ends with the same
// weights, bit for bit, as the uninterrupted reference run.
import { expect } from 'chai';
import { recordReliability } from '../reliability/entries.js';
import {
  checkpointDigest,
  E2eSystem,
  e2eWorld,
  everySteps,
  podOf,
  referenceRun,
  seconds,
  stageSteps,
  stepsLostAt,
  waitForStep,
  type ReferenceRun,
} from '../fixture/index.js';

describe('e2e fault: a worker process SIGKILLed mid-epoch', function () {
  this.timeout(1_500_000);
  const name = 'kill-worker';
  let system: E2eSystem | undefined;
  let reference: ReferenceRun;

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    system = await E2eSystem.start(w, { prefix: 'fault-worker' });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
  });

  it('restarts the group from the last checkpoint, at most every_steps steps lost, weights bitwise equal to the uninterrupted run', async function () {
    const s = system!;
    await s.submit(name);
    // Past the first checkpoint (step 3), so there is one to go back to; the epoch is 60 steps long.
    await waitForStep(s, podOf(name, 'rep', 0, 0), everySteps + 1);
    const pid = s.rankPid(podOf(name, 'rep', 0, 1));
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');

    // Recovered: the restarted group trains again (its rank 0 logged a step).
    await waitForStep(s, podOf(name, 'rep', 1, 0), 1);
    const recoverSeconds = seconds(killedAt);
    const job = await s.finished(name);
    const { done, resumed, lost } = stepsLostAt(s, name, 0);
    // What the survivor failed with: its launcher's death notice (ADR 0042), not the heartbeat timeout.
    const survivorLog = s.podLog(podOf(name, 'rep', 0, 0));
    const survivorError = /(aborted by rank 1: .*|lost peer rank 1 .*)$/m.exec(survivorLog)?.[1];
    const final = await checkpointDigest(s.w, job, 'classifier');
    const ap = job.status?.results?.AP ?? null;
    recordReliability({
      kind: 'fault',
      id: 'worker-sigkill',
      test: this.test!.fullTitle(),
      fault: `SIGKILL of node rank 1's rank process in the representation stage (${stageSteps.representation} steps, a checkpoint every ${everySteps}), mid-epoch (60 steps), once rank 0 had logged step ${everySteps + 1}`,
      happened:
        `the group had finished step ${done}; ${
          survivorError?.startsWith('aborted by rank 1')
            ? `pod ${podOf(name, 'rep', 0, 1)}'s launcher announced the death on NATS and rank 0 failed at once`
            : 'rank 0 failed'
        } (${survivorError ?? 'no collective error logged'}); the pod failed, the operator restarted the ` +
        `whole group (attempt 1, restart 1), which resumed from ckpt-${resumed}; the final checkpoint is ` +
        `${final.digest === reference.final.digest ? 'bitwise equal to' : 'DIFFERENT from'} the uninterrupted run's`,
      outcome: { state: job.status?.state === 'Succeeded' ? 'Succeeded' : 'Failed' },
      recoverSeconds,
      stepsLost: lost,
      finalAp: ap,
      referenceAp: reference.ap,
      bitwiseEqual: final.digest === reference.final.digest,
    });

    expect(survivorError, survivorLog.slice(-2000)).to.match(
      /^aborted by rank 1: rank 1's process was killed by SIGKILL \(seen by its launcher on node rank 1\)/,
    );
    expect(job.status?.state).to.equal('Succeeded');
    expect(job.status?.restarts).to.equal(1);
    expect(lost).to.be.within(0, everySteps);
    expect(final.blobs, 'final checkpoint blobs').to.deep.equal(reference.final.blobs);
    expect(ap).to.equal(reference.ap);
  });
});
