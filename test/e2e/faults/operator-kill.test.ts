// Fault: the operator process SIGKILLed mid-stage and started again (a node drain, an OOM kill of the operator
// pod), on the whole system. The workers train on without it; the new process rebuilds everything from the API
// server (status is the only state) and must neither create a pod twice nor lose what status said.
import { Watch, type V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { BaclJob } from '../../../common/index.js';
import { recordReliability } from '../reliability/entries.js';
import {
  checkpointDigest,
  E2eSystem,
  e2eWorld,
  lastLoggedStep,
  podOf,
  referenceRun,
  resumedFromStep,
  seconds,
  stageSteps,
  type ReferenceRun,
} from '../fixture/index.js';

describe('e2e fault: the operator process SIGKILLed and restarted mid-stage', function () {
  this.timeout(1_500_000);
  const name = 'kill-operator';
  let system: E2eSystem | undefined;
  let reference: ReferenceRun;
  let stopWatch: (() => void) | undefined;
  /** Every pod the API server reported created: name -> the UIDs seen under that name. */
  const created = new Map<string, Set<string>>();

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    system = await E2eSystem.start(w, { prefix: 'fault-operator' });
    const watching = await new Watch(w.kubeConfig).watch(
      `/api/v1/namespaces/${system.namespace}/pods`,
      {},
      (phase: string, pod: V1Pod) => {
        const podName = pod.metadata?.name ?? '?';
        if (!created.has(podName)) created.set(podName, new Set());
        created.get(podName)!.add(pod.metadata?.uid ?? '?');
      },
      () => undefined,
    );
    stopWatch = () => watching.abort();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    stopWatch?.();
    await system?.stop();
  });

  it('creates no duplicate pods, loses no status, and the job Succeeds', async function () {
    const s = system!;
    await s.submit(name);
    // Mid-stage, once status holds a checkpoint and progress: what must survive the restart.
    const before = await s.waitForJob(
      name,
      'a representation checkpoint in status',
      (job) =>
        job.status?.lastCheckpoint?.stage === 'representation' &&
        job.status.progress !== undefined &&
        job.status.state === 'Running',
    );
    const killedAt = Date.now();
    const exit = await s.operator.kill('SIGKILL');
    expect(exit.signal).to.equal('SIGKILL');
    await s.operator.start();
    const restartedAt = Date.now();

    // The first status the new process writes keeps everything the old one had written.
    const after = await s.waitForJob(
      name,
      'a status write by the new operator',
      (job) => job.metadata.resourceVersion !== before.metadata.resourceVersion,
    );
    const resumedWriting = seconds(killedAt);
    const job = await s.finished(name);
    const final = await checkpointDigest(s.w, job, 'classifier');
    const ap = job.status?.results?.AP ?? null;

    const duplicates = [...created].filter(([, uids]) => uids.size > 1).map(([podName]) => podName);
    const resumedAnywhere = [...created.keys()].filter(
      (podName) => resumedFromStep(s.podLog(podName)) !== undefined,
    );
    recordReliability({
      kind: 'fault',
      id: 'operator-sigkill',
      test: this.test!.fullTitle(),
      fault: `SIGKILL of the bacl-operator process in stage ${before.status?.stage} (progress step ${before.status?.progress?.step}, last checkpoint step ${before.status?.lastCheckpoint?.step}), a new process started at once`,
      happened:
        `the ranks trained on; the new process (up ${seconds(killedAt, restartedAt)} s after the kill) wrote status ` +
        `again ${resumedWriting} s after it, keeping the checkpoint, progress and conditions; ${created.size} pods ` +
        `created in all, ${duplicates.length} under a reused name, ${job.status?.restarts ?? '?'} group restarts`,
      outcome: { state: job.status?.state === 'Succeeded' ? 'Succeeded' : 'Failed' },
      recoverSeconds: resumedWriting,
      stepsLost: resumedAnywhere.length === 0 ? 0 : null,
      finalAp: ap,
      referenceAp: reference.ap,
      bitwiseEqual: final.digest === reference.final.digest,
    });

    expect(job.status?.state).to.equal('Succeeded');
    expect(duplicates, 'pod names created twice').to.deep.equal([]);
    expect([...created.keys()].sort()).to.deep.equal(
      ['cls', 'eval', 'rep'].flatMap((stage) => [`${name}-${stage}-0-0`, `${name}-${stage}-0-1`]),
    );
    expect(job.status?.restarts).to.equal(0);
    expect(resumedAnywhere, 'no group restarted from a checkpoint').to.deep.equal([]);
    expect(lastLoggedStep(s.podLog(podOf(name, 'rep', 0, 0)))).to.equal(stageSteps.representation);
    keptStatus(before, after);
    expect(job.status?.lastCheckpoint).to.include({ stage: 'classifier', step: stageSteps.classifier });
    expect(final.blobs).to.deep.equal(reference.final.blobs);
    expect(ap).to.equal(reference.ap);
  });
});

/** Nothing status held before the kill is gone or older after it. */
function keptStatus(before: BaclJob, after: BaclJob): void {
  const b = before.status!;
  const a = after.status!;
  const stages = ['representation', 'classifier', 'evaluate'];
  const order = (stage: string | undefined) => stages.indexOf(stage ?? '');
  expect(a.attempt).to.equal(b.attempt);
  expect(a.restarts).to.equal(b.restarts);
  expect(a.startTime).to.equal(b.startTime);
  const checkpointAfter = a.lastCheckpoint;
  expect(checkpointAfter, 'lastCheckpoint').to.not.equal(undefined);
  expect(
    order(checkpointAfter?.stage) * 1000 + (checkpointAfter?.step ?? 0),
    `lastCheckpoint ${JSON.stringify(checkpointAfter)} after ${JSON.stringify(b.lastCheckpoint)}`,
  ).to.be.at.least(order(b.lastCheckpoint?.stage) * 1000 + (b.lastCheckpoint?.step ?? 0));
  if (a.stage === b.stage) expect(a.progress?.step ?? -1, 'progress').to.be.at.least(b.progress?.step ?? 0);
  // Every condition keeps its transition time unless it really changed.
  for (const condition of b.conditions ?? []) {
    const now = a.conditions?.find((c) => c.type === condition.type);
    expect(now, `condition ${condition.type}`).to.not.equal(undefined);
    if (now?.status === condition.status)
      expect(now.lastTransitionTime, `${condition.type}'s lastTransitionTime`).to.equal(
        condition.lastTransitionTime,
      );
  }
}
