// Fault: the S3 server answering 500/503 and not answering at all for a while, on the whole system: the job's S3
// endpoint is a fault-injecting proxy (test/harness/s3-faults.ts) in front of the real S3 server, so the real
// bacl-worker in every pod (and the operator reading the run data) goes through it. Checkpoint writes and shard
// reads fail several times in a row, then a window of 500s covers everything under the run prefix mid-training;
// later the classifier stage's first checkpoint writes and the evaluate stage's first val-split reads stall (the
// proxy reads the request and never answers). The job sets spec.s3.requestTimeoutSeconds to 3, so each rank cuts
// a stalled attempt after 3 s and retries it. The ranks ride all of it out with data's S3 retry policy: no
// restart, no step lost, the job Succeeds with the same final weights, bit for bit, and the same AP as the
// uninterrupted run. One job for both faults: CI pays for one training run. docs/adr/0035-fault-handling.md,
// docs/adr/0040-s3-request-deadline.md.
import { expect } from 'chai';
import { startS3FaultProxy, type S3FaultProxy } from '../../harness/index.js';
import { recordReliability } from '../reliability/entries.js';
import {
  checkpointDigest,
  E2eSystem,
  e2eWorld,
  podOf,
  referenceRun,
  waitForStep,
  type ReferenceRun,
} from '../fixture/index.js';

const retryLine = /^.*S3 (PUT|GET|HEAD|LIST|DELETE) s3:\/\/\S+: attempt \d+ of \d+ failed .*$/gm;
/** spec.s3.requestTimeoutSeconds of the job: short, so a stall costs seconds, not the default 2 minutes. */
const requestTimeoutSeconds = 3;

describe('e2e fault: S3 answering 500/503 and stalling for a while', function () {
  this.timeout(1_500_000);
  const name = 's3-flaky';
  let system: E2eSystem | undefined;
  let reference: ReferenceRun;
  let proxy: S3FaultProxy | undefined;

  before(async function () {
    const w = await e2eWorld();
    reference = await referenceRun();
    system = await E2eSystem.start(w, { prefix: 'fault-s3' });
    proxy = await startS3FaultProxy(w.s3.endpoint);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && system) console.log(await system.describe(name));
  });
  after(async function () {
    await system?.stop();
    await proxy?.stop();
  });

  it('rides out checkpoint and shard failures, a window of 500s and stalled requests cut at spec.s3.requestTimeoutSeconds: Succeeded, no restart, weights bitwise equal to the uninterrupted run', async function () {
    const s = system!;
    const p = proxy!;
    const run = new RegExp(`^${s.w.bucket}/runs/${s.namespace}/${name}/`);
    // Before the job starts: the first checkpoint's writes fail 5 times in a row (more than the SDK's default
    // 3 attempts would survive), and the first reads of the train shards 4 times.
    const checkpointPuts = p.inject({
      answer: 500,
      method: 'PUT',
      key: new RegExp(`^${s.w.bucket}/runs/${s.namespace}/${name}/[^/]+/checkpoints/representation/`),
      times: 5,
    });
    const shardGets = p.inject({
      answer: 503,
      method: 'GET',
      key: new RegExp(`^${s.w.bucket}/datasets/synth/train/`),
      times: 4,
    });
    // Stalls: the classifier stage's first 2 checkpoint PUTs and the evaluate stage's first 3 val-split GETs
    // (its manifest, annotations and shards) get no answer; each costs one deadline, then the retry goes through.
    const stalledPuts = p.inject({
      answer: 'stall',
      method: 'PUT',
      key: new RegExp(`^${s.w.bucket}/runs/${s.namespace}/${name}/[^/]+/checkpoints/classifier/`),
      times: 2,
    });
    const stalledGets = p.inject({
      answer: 'stall',
      method: 'GET',
      key: new RegExp(`^${s.w.bucket}/datasets/synth/val/`),
      times: 3,
    });
    await s.create(name, (job) => {
      job.spec.s3 = { ...job.spec.s3, endpoint: p.endpoint, requestTimeoutSeconds };
    });
    // Mid-training, after the first checkpoint: every request under the run prefix answers 500 for 8 s.
    await waitForStep(s, podOf(name, 'rep', 0, 0), 4);
    const window = p.inject({ answer: 500, key: run, forMs: 8_000 });
    const job = await s.finished(name);

    const logs = (await s.pods(name)).map((pod) => s.podLog(pod.metadata?.name ?? '')).join('\n');
    const retries = [...logs.matchAll(retryLine)].map((match) => match[0]);
    const deadlineText = `no answer within attemptTimeoutMs ${requestTimeoutSeconds * 1000} ms`;
    const cut = retries.filter((line) => line.includes(deadlineText));
    const faulted = p.requests.filter((r) => r.outcome.kind === 'fault');
    // How long each faulted object took to get through: from its first fault to its first answer after it.
    const recovery = (stalls: boolean) => {
      let slowest = 0;
      const mineFaulted = faulted.filter(
        (r) => r.outcome.kind === 'fault' && (r.outcome.answer === 'stall') === stalls,
      );
      for (const key of new Set(mineFaulted.map((r) => `${r.method} ${r.key}`))) {
        const mine = p.requests.filter((r) => `${r.method} ${r.key}` === key);
        const first = mine.find((r) => r.outcome.kind === 'fault')!;
        const through = mine.find((r) => r.at > first.at && r.outcome.kind === 'forwarded');
        if (through) slowest = Math.max(slowest, through.at - first.at);
      }
      return slowest;
    };
    const errorRecoverMs = recovery(false);
    const stallRecoverMs = recovery(true);
    const recoverMs = Math.max(errorRecoverMs, stallRecoverMs);
    const final = await checkpointDigest(s.w, job, 'classifier');
    const ap = job.status?.results?.AP ?? null;
    const podNames = (await s.pods(name)).map((pod) => pod.metadata?.name ?? '').sort();
    recordReliability({
      kind: 'fault',
      id: 's3-500s',
      test: this.test!.fullTitle(),
      fault:
        "the job's S3 endpoint behind a fault proxy: the representation stage's first 5 checkpoint PUTs answer 500, " +
        'the first 4 train-shard GETs answer 503, and once rank 0 has logged step 4 every request under the run ' +
        `prefix answers 500 for 8 s; with spec.s3.requestTimeoutSeconds ${requestTimeoutSeconds}, the classifier ` +
        "stage's first 2 checkpoint PUTs and the evaluate stage's first 3 val-split GETs stall (never answered)",
      happened:
        `the proxy faulted ${faulted.length} requests (checkpoint PUTs ${checkpointPuts.hits}, shard GETs ` +
        `${shardGets.hits}, window ${window.hits}, stalled PUTs ${stalledPuts.hits}, stalled GETs ` +
        `${stalledGets.hits}); the ranks logged ${retries.length} retries, ${cut.length} of them an attempt cut ` +
        `at its ${requestTimeoutSeconds} s deadline, and went on (restarts ${job.status?.restarts}, pods ` +
        `${podNames.join(', ')}); the slowest request answered 500/503 got through ` +
        `${(errorRecoverMs / 1000).toFixed(1)} s after its first fault, the slowest stalled object ` +
        `${(stallRecoverMs / 1000).toFixed(1)} s after its stalled request (the other rank may read it meanwhile); final weights ` +
        `${final.digest === reference.final.digest ? 'bitwise equal to' : 'DIFFERENT from'} the uninterrupted run's`,
      outcome: { state: job.status?.state === 'Succeeded' ? 'Succeeded' : 'Failed' },
      recoverSeconds: Math.round(recoverMs / 100) / 10,
      stepsLost: 0,
      finalAp: ap,
      referenceAp: reference.ap,
      bitwiseEqual: final.digest === reference.final.digest,
    });

    expect(job.status?.state).to.equal('Succeeded');
    expect(job.status?.restarts).to.equal(0);
    expect(podNames.every((pod) => /-0-\d$/.test(pod))).to.equal(true);
    expect(checkpointPuts.hits).to.equal(5);
    expect(shardGets.hits).to.equal(4);
    expect(window.hits).to.be.greaterThan(0);
    expect(stalledPuts.hits).to.equal(2);
    expect(stalledGets.hits).to.equal(3);
    expect(retries.length).to.be.at.least(
      checkpointPuts.hits + shardGets.hits + stalledPuts.hits + stalledGets.hits,
    );
    // Every stalled request was cut at the job's deadline (not the default 120 s) and retried, as logged.
    expect(cut.length, cut.join('\n')).to.be.at.least(stalledPuts.hits + stalledGets.hits);
    // The ranks closed their stalled connections when they cut them: the proxy holds none.
    expect(p.openStalls).to.equal(0);
    expect(final.blobs, 'final checkpoint blobs').to.deep.equal(reference.final.blobs);
    expect(ap).to.equal(reference.ap);
  });
});
