// Checkpoints against the real S3 server (versitygw) through a fault-injecting proxy (test/harness/s3-faults.ts):
// (a) a save and a restore ride out a window of 500s and a window of stalls (data's one S3 retry policy);
// (b) latest.json always names a complete checkpoint: writes failed for good after some tensor objects, at
//     part.json, at manifest.json and at latest.json leave latest.json on the previous checkpoint and resume
//     loads that one; and a reader polling S3 directly while a writer commits through a flaky proxy never sees
//     latest.json name a checkpoint that does not verify.
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, S3Client, type S3Client as Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import {
  describeRetry,
  openDatasetSource,
  resolveS3ClientConfig,
  S3RequestFailedError,
  type S3RetryNotice,
} from '../../../data/internal.js';
import {
  decodeSharedState,
  encodeSharedState,
  readCheckpoint,
  readLatestPointer,
  resumeLatest,
  S3CheckpointStore,
  writeSharedState,
  type CheckpointStore,
} from '../../../worker/internal.js';
import {
  sharedS3,
  startS3FaultProxy,
  waitFor,
  type S3FaultProxy,
  type S3Server,
} from '../../harness/index.js';
import { bytesOf, sharedState, writeCheckpoint } from './fixtures.js';

/** Short delays and deadlines (a test should not wait a minute), the same code path as the defaults. */
// The waits between the 8 attempts add up to 1.8 to 3.5 s, longer than the 1.5 s windows below.
const policy = { attempts: 8, baseDelayMs: 50, maxDelayMs: 1_000, attemptTimeoutMs: 1_000 };

describe('checkpoints: S3 failing for a while (500s, stalls), through a fault proxy', function () {
  this.timeout(120_000);
  let server: S3Server;
  let direct: Client;
  let proxy: S3FaultProxy;
  let viaProxy: Client;
  let bucket: string;
  let count = 0;

  before(async function () {
    server = await sharedS3();
    direct = server.client();
    bucket = `ckpt-faults-${randomBytes(4).toString('hex')}`;
    await direct.send(new CreateBucketCommand({ Bucket: bucket }));
    proxy = await startS3FaultProxy(server.endpoint);
    // What the worker builds (resolveS3ClientConfig: no SDK retries), pointed at the proxy.
    viaProxy = new S3Client({
      ...resolveS3ClientConfig({ endpoint: proxy.endpoint }, {}),
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
  afterEach(() => proxy.clear());
  after(async () => {
    viaProxy.destroy();
    await proxy.stop();
  });

  /** A run root seen through the proxy (the writer) and directly (a reader that sees what S3 holds). */
  function stores(onRetry?: (notice: S3RetryNotice) => void) {
    const prefix = `runs/ns/job/uid-${count++}`;
    return {
      prefix,
      flaky: new S3CheckpointStore(viaProxy, bucket, prefix, {
        retry: policy,
        ...(onRetry === undefined ? {} : { onRetry }),
      }),
      plain: new S3CheckpointStore(direct, bucket, prefix),
    };
  }

  async function expectWeights(store: CheckpointStore, step: number) {
    const loaded = await resumeLatest(store, 'stage1', { expect: { worldSize: 2 } });
    expect(loaded?.step).to.equal(step);
    const weights = decodeSharedState(loaded!).weights[0]!;
    expect(Buffer.from(bytesOf(weights.data))).to.deep.equal(
      Buffer.from(bytesOf(sharedState(step).weights[0]!.data)),
    );
  }

  it('(a) saves and restores a checkpoint through a window of 500s', async function () {
    const notices: S3RetryNotice[] = [];
    const { flaky, plain } = stores((notice) => notices.push(notice));
    const window = proxy.inject({ answer: 500, forMs: 1_500 });
    const started = performance.now();
    await writeCheckpoint(flaky, 'stage1', 10, 2);
    const saveMs = performance.now() - started;
    expect(window.hits).to.be.greaterThan(0);
    expect(notices.length).to.be.greaterThan(0);
    expect((await readLatestPointer(plain, 'stage1'))?.step).to.equal(10);
    const restoreWindow = proxy.inject({ answer: 503, forMs: 1_500 });
    await expectWeights(flaky, 10);
    expect(restoreWindow.hits).to.be.greaterThan(0);
    console.log(
      `      500 window 1.5 s: save took ${(saveMs / 1000).toFixed(2)} s with ${window.hits} injected 500s, ` +
        `restore rode out ${restoreWindow.hits} 503s`,
    );
  });

  it('(a) saves and restores a checkpoint through a window of stalls past the attempt deadline', async function () {
    const { flaky, plain } = stores();
    const window = proxy.inject({ answer: 'stall', forMs: 2_500 });
    const started = performance.now();
    await writeCheckpoint(flaky, 'stage1', 20, 2);
    const saveMs = performance.now() - started;
    expect(window.hits).to.be.greaterThan(0);
    // The stalled attempts were cut at their deadline and retried, so the save took at least one deadline.
    expect(saveMs).to.be.greaterThan(policy.attemptTimeoutMs);
    expect((await readLatestPointer(plain, 'stage1'))?.step).to.equal(20);
    const restoreWindow = proxy.inject({ answer: 'stall', method: 'GET', forMs: 2_000 });
    await expectWeights(flaky, 20);
    expect(restoreWindow.hits).to.be.greaterThan(0);
    // Each cut attempt closed its socket, and the proxy let go of it (so stop() has nothing to wait on).
    await waitFor('the stalled requests closed', () => proxy.openStalls === 0, { timeoutMs: 10_000 });
    console.log(
      `      stall window 2.5 s (deadline 1 s): save took ${(saveMs / 1000).toFixed(2)} s over ${window.hits} stalled requests`,
    );
  });

  it("(a) a dataset source given the worker's policy cuts stalled shard reads at its deadline and logs each retry", async function () {
    // What rank-process.ts gives openDatasetSource: the rank's one policy and its retry log line (ADR 0040).
    const prefix = `datasets/stall-${count++}`;
    const shard = randomBytes(64 * 1024);
    await direct.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/train-00000.tar`, Body: shard }),
    );
    const lines: string[] = [];
    const source = openDatasetSource(`s3://${bucket}/${prefix}`, viaProxy, {
      policy,
      onRetry: (notice) => lines.push(describeRetry(notice)),
    });
    // One stalled GET for each way a shard is read: read() holds the whole body under the attempt, stream() the
    // request until its answer's headers.
    const stall = () =>
      proxy.inject({ answer: 'stall', method: 'GET', key: new RegExp(`^${bucket}/${prefix}/`), times: 1 });
    const readStall = stall();
    expect(Buffer.compare(await source.read('train-00000.tar'), shard)).to.equal(0);
    const streamStall = stall();
    const chunks: Uint8Array[] = [];
    for await (const chunk of source.stream('train-00000.tar')) chunks.push(chunk);
    expect(Buffer.compare(Buffer.concat(chunks), shard)).to.equal(0);
    expect([readStall.hits, streamStall.hits]).to.deep.equal([1, 1]);
    expect(lines).to.have.length(2);
    for (const line of lines)
      expect(line, line).to.match(
        new RegExp(
          `^S3 GET s3://${bucket}/${prefix}/train-00000\\.tar: attempt 1 of 8 failed \\(TimeoutError: no answer ` +
            'within attemptTimeoutMs 1000 ms\\); retrying in ',
        ),
      );
    await waitFor('the stalled requests closed', () => proxy.openStalls === 0, { timeoutMs: 10_000 });
  });

  it('(a) gives up after the bounded attempts with an error naming bucket, key and attempts', async function () {
    const { flaky } = stores();
    proxy.inject({ answer: 500, method: 'PUT' });
    const error = await writeSharedState(flaky, 'stage1', 1, { 'w.bin': new Uint8Array(8) }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(S3RequestFailedError);
    expect((error as Error).message).to.match(
      new RegExp(
        `^PUT s3://${bucket}/runs/ns/job/uid-\\d+/checkpoints/stage1/ckpt-1/shared/w\\.bin failed 8 time\\(s\\)`,
      ),
    );
    expect((error as Error).message).to.contain('HTTP 500');
  });

  // Where a checkpoint write can die for good: among the tensor objects, at a part's part.json, at the
  // checkpoint's manifest.json, at latest.json itself. Each leaves latest.json on the previous checkpoint.
  // (A stall is cut by the attempt deadline and then counts as a failure like a 500: two places suffice.)
  const cuts: [string, RegExp, number, readonly (500 | 'stall')[]][] = [
    ['after some tensor objects', /\/ckpt-40\/shared\//, 1, [500, 'stall']],
    ['at a rank part.json', /\/ckpt-40\/rank-1\/part\.json$/, 0, [500]],
    ['at manifest.json', /\/ckpt-40\/manifest\.json$/, 0, [500]],
    ['at latest.json', /\/stage1\/latest\.json$/, 0, [500, 'stall']],
  ];
  for (const [where, key, skip, answers] of cuts) {
    for (const answer of answers) {
      it(`(b) a write failing for good ${where} (${answer}) leaves latest.json on the previous checkpoint`, async function () {
        const { flaky, plain } = stores();
        await writeCheckpoint(flaky, 'stage1', 30, 2);
        const fault = proxy.inject({ answer, method: 'PUT', key, skip });
        const error = await writeCheckpoint(flaky, 'stage1', 40, 2).catch((e: unknown) => e);
        expect(error, 'the write must fail').to.be.instanceOf(S3RequestFailedError);
        expect(fault.hits).to.equal(policy.attempts);
        const latest = await readLatestPointer(plain, 'stage1');
        expect(latest?.step).to.equal(30);
        // The pointer names a checkpoint that verifies, and resume uses it.
        await readCheckpoint(plain, 'stage1', 30, { manifestSha256: latest!.manifestSha256 });
        await expectWeights(plain, 30);
        proxy.clear();
        // Once S3 answers again, the next checkpoint commits over the debris of the failed one.
        await writeCheckpoint(flaky, 'stage1', 40, 2);
        await expectWeights(plain, 40);
      });
    }
  }

  it('(b) a reader polling S3 while checkpoints commit through random 500s and stalls never sees latest.json name an incomplete checkpoint', async function () {
    const { flaky, plain } = stores();
    const before = proxy.requests.length;
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let writing = true;
    const seen = new Set<number>();
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const latest = await readLatestPointer(plain, 'stage1');
        if (latest !== undefined) {
          // Must verify: manifest at the recorded SHA-256, every blob at its size and hash.
          await readCheckpoint(plain, 'stage1', latest.step, { manifestSha256: latest.manifestSha256 });
          seen.add(latest.step);
          reads++;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      for (let step = 1; step <= 6; step++) {
        // A few faults at random places of this checkpoint's writes (each ridden out by the retries).
        for (let i = 0; i < 3; i++) {
          proxy.inject({
            answer: random() < 0.5 ? 500 : 'stall',
            method: 'PUT',
            skip: Math.floor(random() * 12),
            times: 1 + Math.floor(random() * 2),
          });
        }
        await writeCheckpoint(flaky, 'stage1', step * 10, 2);
        proxy.clear();
      }
    } finally {
      writing = false;
      await reader;
    }
    expect(reads).to.be.greaterThan(0);
    expect(Math.max(...seen)).to.be.at.most(60);
    await expectWeights(plain, 60);
    const faulted = proxy.requests.slice(before).filter((r) => r.outcome.kind === 'fault').length;
    console.log(
      `      ${faulted} injected faults over 6 commits; the reader verified latest.json ${reads} times`,
    );
  });

  it('stores a blob unchanged when its upload was retried (bitwise)', async function () {
    const { flaky, plain } = stores();
    proxy.inject({ answer: 503, method: 'PUT', times: 2 });
    const blobs = encodeSharedState(sharedState(7));
    await writeSharedState(flaky, 'stage1', 7, blobs);
    for (const [name, bytes] of Object.entries(blobs)) {
      expect(Buffer.from(await plain.get(`checkpoints/stage1/ckpt-7/shared/${name}`))).to.deep.equal(
        Buffer.from(bytes),
      );
    }
  });
});
