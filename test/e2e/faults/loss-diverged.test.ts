// Fault: the loss diverging (an absurd learning rate), on the whole system: the operator process, the real
// bacl-worker in every pod, NATS and S3. Every rank stops with LossDiverged before applying the step (exit 5),
// the operator fails the job with reason LossDiverged and does not restart the group (a restart would diverge
// again), and latest.json still names the checkpoint before the divergence, whose weights are all finite.
// docs/adr/0035-fault-handling.md.
import { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { waitFor } from '../../harness/index.js';
import {
  decodeSharedState,
  listCheckpoints,
  readCheckpoint,
  readLatestPointer,
  S3CheckpointStore,
} from '../../../worker/internal.js';
import { recordReliability } from '../reliability/entries.js';
import { E2eSystem, e2eWorld, podOf, runPrefix, seconds } from '../fixture/index.js';

describe('e2e fault: the loss diverging (an absurd learning rate)', function () {
  this.timeout(1_500_000);
  const name = 'diverge';
  let system: E2eSystem | undefined;

  before(async function () {
    system = await E2eSystem.start(await e2eWorld(), { prefix: 'fault-diverge' });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
  });

  it('fails with LossDiverged, no restart, latest.json on the last good (finite) checkpoint, no checkpoint of NaN weights', async function () {
    const s = system!;
    const sets = [
      'schedule.representation.lr=1e12',
      'schedule.representation.warmup_iters=0',
      'checkpoint.every_steps=1',
    ];
    await s.submit(name, { sets });
    const rank0 = podOf(name, 'rep', 0, 0);
    const line = await waitFor(
      'rank 0 to report LossDiverged',
      () =>
        /LossDiverged: stage representation, step (\d+): (loss\w*|weights: \S+) is (\S+?);/.exec(
          s.podLog(rank0),
        ) ?? undefined,
      { timeoutMs: 600_000, intervalMs: 50, last: () => s.podLog(rank0).slice(-2000) },
    );
    const divergedAt = Date.now();
    const step = Number(line[1]);
    const job = await s.finished(name);
    const failedAfter = seconds(divergedAt);

    const condition = job.status?.conditions?.find((c) => c.type === 'Failed');
    expect(job.status?.state).to.equal('Failed');
    expect(condition?.reason).to.equal('LossDiverged');
    expect(condition?.message).to.match(/stopped with LossDiverged \(exit 5\).*not restarted/);
    expect(job.status?.restarts).to.equal(0);
    // Not restarted, now or a moment later.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const pods = (await s.pods(name)).map((pod) => pod.metadata?.name ?? '');
    expect(pods.filter((pod) => !pod.startsWith(`${name}-rep-0-`))).to.deep.equal([]);

    // What the job kept: latest.json on the checkpoint before the divergent step, complete and finite; no
    // checkpoint at or after that step.
    const w = s.w;
    const client = new S3Client(w.s3.clientConfig());
    const store = new S3CheckpointStore(client, w.bucket, runPrefix(job));
    const latest = await readLatestPointer(store, 'representation');
    expect(latest?.step).to.equal(step - 1);
    const kept = await readCheckpoint(store, 'representation', latest!.step, {
      manifestSha256: latest!.manifestSha256,
    });
    const weights = decodeSharedState(kept).weights;
    const nonFinite = weights.filter(
      (array) => array.data instanceof Float32Array && array.data.some((value) => !Number.isFinite(value)),
    );
    expect(nonFinite.map((array) => array.name)).to.deep.equal([]);
    const listed = await listCheckpoints(store, 'representation');
    expect(listed.filter((c) => c.step >= step).map((c) => c.step)).to.deep.equal([]);
    expect(job.status?.lastCheckpoint?.step).to.equal(step - 1);
    client.destroy();

    recordReliability({
      kind: 'fault',
      id: 'loss-diverged',
      test: this.test!.fullTitle(),
      fault: `an absurd learning rate (${sets.join(', ')}) in the representation stage, 2 pods x 1 GPU`,
      happened:
        `every rank stopped at step ${step} (${line[2]} is ${line[3]}: ` +
        `${line[2]!.startsWith('weights') ? "the step's update overflowed the weights, found before its checkpoint" : 'the step was not applied'}) and exited 5; the ` +
        `operator failed the job with LossDiverged without restarting the group (restarts 0, no attempt 1), and ` +
        `latest.json kept ckpt-${latest!.step}, which verifies and holds only finite weights (${weights.length} arrays); ` +
        `no checkpoint at or after step ${step} was written`,
      outcome: { state: 'Failed', reason: 'LossDiverged' },
      recoverSeconds: failedAfter,
      stepsLost: null,
      finalAp: null,
      referenceAp: null,
      bitwiseEqual: null,
    });
  });
});
