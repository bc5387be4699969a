// Fault: nats-server restarted mid-training (an upgrade, a rescheduled NATS pod), on the whole system with a
// nats-server of the test's own on a fixed address, so the restarted one is where every client reconnects. A
// dropped connection may have lost all-reduce frames, so the ranks fail the group at once rather than guess; the
// operator restarts it from the last checkpoint (docs/adr/0034-fault-model.md), its own progress subscription
// comes back, and nothing hangs.
import { expect } from 'chai';
import { startNats, type NatsServer } from '../../harness/index.js';
import { recordReliability } from '../reliability/entries.js';
import {
  checkpointDigest,
  E2eSystem,
  e2eWorld,
  everySteps,
  podOf,
  referenceRun,
  runsAttempt,
  seconds,
  stageSteps,
  stepsLostAt,
  waitForStep,
  type ReferenceRun,
} from '../fixture/index.js';

describe('e2e fault: nats-server restarted mid-training', function () {
  this.timeout(1_500_000);
  const name = 'restart-nats';
  let system: E2eSystem | undefined;
  let nats: NatsServer | undefined;
  let reference: ReferenceRun;

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    nats = await startNats();
    system = await E2eSystem.start(w, { prefix: 'fault-nats', natsUrl: nats.url });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
    await nats?.stop();
  });

  it('the group restarts cleanly from its checkpoint on the restarted server; no hang', async function () {
    const s = system!;
    await s.submit(name);
    await waitForStep(s, podOf(name, 'rep', 0, 0), everySteps + 1);
    const port = Number(new URL(nats!.url).port);
    const monitorPort = Number(new URL(nats!.monitorUrl).port);
    const stoppedAt = Date.now();
    await nats!.stop();
    nats = await startNats({ port, monitorPort });
    const downSeconds = seconds(stoppedAt);

    // Bounded: the job ends (the waits time out, failing the test, if anything hangs).
    const running = await s.waitForJob(name, 'a later attempt to run', (job) => runsAttempt(job, 1));
    const recoverSeconds = seconds(stoppedAt);
    const job = await s.finished(name);
    const final = await checkpointDigest(s.w, job, 'classifier');
    const ap = job.status?.results?.AP ?? null;
    const { done, resumed, lost } = stepsLostAt(s, name, 0);
    const reason = job.status?.conditions?.find((c) => c.type === 'Restarting')?.message;
    recordReliability({
      kind: 'fault',
      id: 'nats-restart',
      test: this.test!.fullTitle(),
      fault: `nats-server stopped and started again on the same address (down ${downSeconds} s) during the representation stage, once rank 0 had logged step ${everySteps + 1}`,
      happened:
        `the group had finished step ${done}; each rank failed its group on the dropped connection ` +
        `(TransportLostError), the operator restarted the group (attempt ${running.status?.attempt}, ` +
        `${job.status?.restarts} restart(s)), which resumed from ckpt-${resumed} on the restarted server; the ` +
        `operator's progress subscription came back (status.lastCheckpoint reached the classifier's last step)`,
      outcome: { state: job.status?.state === 'Succeeded' ? 'Succeeded' : 'Failed' },
      recoverSeconds,
      stepsLost: lost,
      finalAp: ap,
      referenceAp: reference.ap,
      bitwiseEqual: final.digest === reference.final.digest,
    });

    expect(job.status?.state, reason).to.equal('Succeeded');
    expect(job.status?.restarts).to.equal(1);
    expect(lost).to.be.within(0, everySteps);
    expect(job.status?.lastCheckpoint, 'progress heard after the restart').to.include({
      stage: 'classifier',
      step: stageSteps.classifier,
    });
    expect(final.blobs).to.deep.equal(reference.final.blobs);
    expect(ap).to.equal(reference.ap);
  });
});
