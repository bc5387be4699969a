// Fault: a node lost (powered off, partitioned) under one worker pod, on the whole system: the pod runner stops
// reporting that pod (its process dies, its status stays Running, its deletion is never confirmed). Rank 0 loses
// its peer and fails; the operator restarts the group, deletes the lost pod, which stays Terminating, and
// force-deletes it once it overstays its deletion deadline (its own grace period, the job's
// spec.terminationGracePeriodSeconds: short here) by the operator's grace, so the new group is never stuck behind it.
import { expect } from 'chai';
import { waitFor } from '../../harness/index.js';
import { eventsOf } from '../../operator/controller/env.js';
import { recordReliability } from '../reliability/entries.js';
import {
  checkpointDigest,
  E2eSystem,
  e2eWorld,
  everySteps,
  podOf,
  referenceRun,
  seconds,
  stepsLostAt,
  waitForStep,
  type ReferenceRun,
} from '../fixture/index.js';

/** The operator's --terminating-grace (ControllerOptions.terminatingGraceSeconds) here; 300 s by default. */
const graceSeconds = 5;
/**
 * The job's spec.terminationGracePeriodSeconds (ADR 0041), the pods' own grace: the lost pod's deletion deadline
 * is this long after its deletion, so the test waits seconds, not Kubernetes' 30 s (or the job default's 120 s).
 */
const podGraceSeconds = 5;

describe('e2e fault: a node lost under a worker pod', function () {
  this.timeout(1_500_000);
  const name = 'lose-node';
  let system: E2eSystem | undefined;
  let reference: ReferenceRun;

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    system = await E2eSystem.start(w, { prefix: 'fault-node', terminatingGraceSeconds: graceSeconds });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
  });

  it('the pod stuck Terminating is force-deleted after the grace period and the group restarts', async function () {
    const s = system!;
    await s.create(name, (job) => {
      job.spec.terminationGracePeriodSeconds = podGraceSeconds;
    });
    await waitForStep(s, podOf(name, 'rep', 0, 0), everySteps + 1);
    const lostPod = podOf(name, 'rep', 0, 1);
    const lostAt = Date.now();
    await s.runner.losePod(s.namespace, lostPod);

    // The operator deletes it with the rest of the failed group; the lost node never confirms.
    const terminating = await waitForTerminating(s, name, lostPod);
    expect(terminating.status?.phase, 'status frozen as the node last reported it').to.equal('Running');
    expect(terminating.spec?.terminationGracePeriodSeconds, "the job's grace period").to.equal(
      podGraceSeconds,
    );
    // Its deletion deadline is its own grace period after the deletion: the operator waits for that, then its own.
    const deadline = terminating.metadata!.deletionTimestamp!.getTime();
    // Recovered: the restarted group trains again (its rank 0 logged a step).
    await waitForStep(s, podOf(name, 'rep', 1, 0), 1);
    const recoverSeconds = seconds(lostAt);
    const job = await s.finished(name);
    const final = await checkpointDigest(s.w, job, 'classifier');
    const ap = job.status?.results?.AP ?? null;
    const { done, resumed, lost } = stepsLostAt(s, name, 0);
    const forced = (await eventsOf(s.w, s.namespace, name)).find(
      (event) => event.reason === 'DeletedPod' && event.message?.includes(`${lostPod} (forced)`),
    );
    recordReliability({
      kind: 'fault',
      id: 'node-lost',
      test: this.test!.fullTitle(),
      fault: `the node under ${lostPod} lost once rank 0 had logged step ${everySteps + 1}: its process killed, its status frozen (Running), its deletion never confirmed; the operator's grace period ${graceSeconds} s past the pod's own (spec.terminationGracePeriodSeconds ${podGraceSeconds} s)`,
      happened:
        `the group had finished step ${done}; rank 0 lost its peer and failed, the operator restarted the group ` +
        `and deleted ${lostPod}, which stayed Terminating until the operator force-deleted it ` +
        `("${forced?.message ?? 'no event'}"); attempt 1 resumed from ckpt-${resumed}`,
      outcome: { state: job.status?.state === 'Succeeded' ? 'Succeeded' : 'Failed' },
      recoverSeconds,
      stepsLost: lost,
      finalAp: ap,
      referenceAp: reference.ap,
      bitwiseEqual: final.digest === reference.final.digest,
    });

    expect(job.status?.state).to.equal('Succeeded');
    expect(forced, 'a DeletedPod event for the forced deletion').to.not.equal(undefined);
    // Not before the pod's own grace period and the operator's had both passed (events carry whole seconds, as
    // the deletion deadline does, and the deadline plus the grace is a whole second).
    const forcedAt = new Date(forced!.firstTimestamp ?? forced!.eventTime ?? 0).getTime();
    expect(forcedAt, 'forced only past the deadline and the grace').to.be.at.least(
      deadline + graceSeconds * 1000,
    );
    expect((await s.pods(name)).map((pod) => pod.metadata?.name)).not.to.include(lostPod);
    expect(lost).to.be.within(0, everySteps);
    expect(final.blobs).to.deep.equal(reference.final.blobs);
    expect(ap).to.equal(reference.ap);
  });
});

/** Until the pod has a deletionTimestamp (and is still there: the node never confirmed). */
function waitForTerminating(s: E2eSystem, job: string, pod: string) {
  return waitFor(
    `${pod} to be Terminating`,
    async () => {
      const found = (await s.pods(job)).find((p) => p.metadata?.name === pod);
      return found?.metadata?.deletionTimestamp ? found : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 200 },
  );
}
