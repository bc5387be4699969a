import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { connect } from '@nats-io/transport-node';
import {
  bf16AllReduceBound,
  Dtype,
  encodeHeader,
  FRAME_HEADER_BYTES,
  Kind,
  Phase,
  fixedOrderSum,
  groupSubjects,
} from '../../../worker/internal.js';
import { startNats, type NatsServer } from '../../harness/index.js';
import type { RankPlan } from './rank-main.js';
import { killRanks, startRanks, type RankOutcome } from './rank-group.js';
import { seededVectors } from './vectors.js';

// A small max_payload (16 KiB) makes "longer than max_payload x ranks" a small vector, so these multi-process
// tests stay light on CI's 2 cores; write_deadline 1 s lets a frozen rank outlast it.
const MAX_PAYLOAD = 16 * 1024;
const FP32_CHUNK = (MAX_PAYLOAD - FRAME_HEADER_BYTES) / 4; // 4088 elements

function cases(n: number): RankPlan['cases'] {
  const lengths = [1, 3 * FP32_CHUNK + 5, (MAX_PAYLOAD * n) / 4 + 1001];
  return lengths.flatMap((length, i) =>
    (['fp32', 'bf16'] as const).map((wire, w) => ({ length, wire, seed: 100 * n + 10 * i + w })),
  );
}

function expectedSum(n: number, spec: RankPlan['cases'][number]): Float32Array {
  return fixedOrderSum(seededVectors(n, spec.length, spec.seed), spec.wire);
}

function readResult(outDir: string, rank: number, index: number): Float32Array {
  const bytes = readFileSync(join(outDir, `r${rank}-c${index}.bin`));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function describeOutcomes(outcomes: RankOutcome[]): string {
  return outcomes
    .map((o) => `rank ${o.rank} code ${o.code} ${JSON.stringify(o.events)}\n${o.stderr.slice(-2000)}`)
    .join('\n');
}

describe('worker/collective over a real nats-server (ranks as processes)', function () {
  this.timeout(180_000);
  let server: NatsServer;
  let outDir: string;
  let jobCounter = 0;
  const nextJob = () => `dist-test/job-${process.pid}-${jobCounter++}`;

  before(async function () {
    server = await startNats({ maxPayload: MAX_PAYLOAD, writeDeadline: '1s' });
    outDir = mkdtempSync(join(tmpdir(), 'bacl-dist-'));
  });

  afterEach(function () {
    killRanks();
  });

  after(async function () {
    killRanks();
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  for (const n of [2, 3, 4]) {
    it(`${n} ranks, fp32 and bf16, lengths 1, a non-multiple of the chunk and > max_payload x ranks: the fixed-order sum's bits on every rank`, async function () {
      const plan: RankPlan = { cases: cases(n), outDir, configDigest: 'sha256:same' };
      const outcomes = await Promise.all(
        startRanks({ natsUrl: server.url, job: nextJob(), attempt: 0, worldSize: n, plan }).map(
          (r) => r.exited,
        ),
      );
      expect(
        outcomes.map((o) => o.code),
        describeOutcomes(outcomes),
      ).to.deep.equal(new Array(n).fill(0));
      plan.cases.forEach((spec, index) => {
        const expected = expectedSum(n, spec);
        const inputs = seededVectors(n, spec.length, spec.seed);
        for (let rank = 0; rank < n; rank++) {
          const result = readResult(outDir, rank, index);
          expect(sameBits(result, expected), `rank ${rank} case ${JSON.stringify(spec)}`).to.equal(true);
        }
        if (spec.wire === 'bf16') {
          const result = readResult(outDir, 0, index);
          for (let i = 0; i < spec.length; i++) {
            let exact = 0;
            let magnitudes = 0;
            for (const input of inputs) {
              exact += input[i]!;
              magnitudes += Math.abs(input[i]!);
            }
            expect(Math.abs(result[i]! - exact)).to.be.at.most(bf16AllReduceBound(magnitudes, n));
          }
        }
      });
    });
  }

  it('refuses to form a group when ranks disagree on the config digest', async function () {
    const plan: RankPlan = { cases: [], outDir, configDigest: 'sha256:a' };
    const ranks = startRanks({
      natsUrl: server.url,
      job: nextJob(),
      attempt: 0,
      worldSize: 2,
      plan,
      env: (rank) => (rank === 1 ? { RANK_PLAN: JSON.stringify({ ...plan, configDigest: 'sha256:b' }) } : {}),
    });
    const outcomes = await Promise.all(ranks.map((r) => r.exited));
    for (const outcome of outcomes) {
      expect(outcome.code, describeOutcomes(outcomes)).to.equal(3);
      const error = outcome.events.find((e) => e.event === 'error')!;
      expect(error.name).to.be.oneOf(['CollectiveMismatchError', 'CollectiveAbortedError']);
      expect(error.message).to.match(/configDigest|aborted/);
    }
  });

  it('a rank SIGKILLed mid all-reduce: the others fail with PeerLostError naming it', async function () {
    const plan: RankPlan = {
      cases: [{ length: 50_000, wire: 'fp32', seed: 5 }],
      outDir,
      configDigest: 'd',
      heartbeatMs: 250,
      peerTimeoutMs: 4000,
      opTimeoutMs: 120_000,
      selfSignal: { rank: 1, signal: 'SIGKILL', atCase: 0 },
    };
    const outcomes = await Promise.all(
      startRanks({ natsUrl: server.url, job: nextJob(), attempt: 0, worldSize: 3, plan }).map(
        (r) => r.exited,
      ),
    );
    expect(outcomes[1]!.signal).to.equal('SIGKILL');
    for (const outcome of [outcomes[0]!, outcomes[2]!]) {
      expect(outcome.code, describeOutcomes(outcomes)).to.equal(3);
      const error = outcome.events.find((e) => e.event === 'error')!;
      expect(error).to.include({ name: 'PeerLostError', peer: 1, collective: 'allReduceSum', step: 0 });
    }
  });

  it('a rank frozen (SIGSTOP) past the write deadline, then continued: the right sum everywhere or a typed error everywhere', async function () {
    const spec = { length: 2_000_000, wire: 'fp32' as const, seed: 6 };
    const plan: RankPlan = {
      cases: [spec],
      outDir,
      configDigest: 'd',
      heartbeatMs: 500,
      peerTimeoutMs: 10_000,
      opTimeoutMs: 120_000,
      selfSignal: { rank: 2, signal: 'SIGSTOP', atCase: 0 },
      finalBarrier: true,
    };
    const ranks = startRanks({ natsUrl: server.url, job: nextJob(), attempt: 0, worldSize: 3, plan });
    await ranks[2]!.waitFor('signalling');
    await sleep(3000); // three write deadlines
    process.kill(ranks[2]!.child.pid!, 'SIGCONT');
    const outcomes = await Promise.all(ranks.map((r) => r.exited));
    const codes = outcomes.map((o) => o.code);
    if (codes.every((code) => code === 0)) {
      const expected = expectedSum(3, spec);
      for (let rank = 0; rank < 3; rank++)
        expect(sameBits(readResult(outDir, rank, 0), expected)).to.equal(true);
    } else {
      expect(codes, describeOutcomes(outcomes)).to.deep.equal([3, 3, 3]);
      for (const outcome of outcomes) {
        const error = outcome.events.find((e) => e.event === 'error')!;
        expect(error.name).to.be.oneOf([
          'PeerLostError',
          'CollectiveTimeoutError',
          'TransportLostError',
          'CollectiveAbortedError',
        ]);
      }
    }
  });

  it('attempt isolation: ranks of attempt 2 never consume frames published on attempt 1', async function () {
    const job = nextJob();
    const old = groupSubjects(job, 1);
    const nc = await connect({ servers: server.url });
    // A dead attempt's ranks still publishing: well-formed frames of every route and operation, full of NaN.
    let flooding = true;
    const poison = new Uint8Array(FRAME_HEADER_BYTES + 400);
    new Float32Array(poison.buffer, FRAME_HEADER_BYTES).fill(Number.NaN);
    const flood = (async () => {
      while (flooding && !nc.isClosed()) {
        for (let op = 0; op < 4; op++) {
          for (let src = 0; src < 2; src++) {
            encodeHeader(
              {
                phase: Phase.rs,
                dtype: Dtype.f32,
                kind: Kind.allReduceSum,
                src,
                owner: 1 - src,
                bucket: 0,
                op,
                chunk: 0,
                nchunks: 1,
                offset: 0,
                count: 100,
              },
              poison,
            );
            nc.publish(old.data('rs', op, 1 - src), poison.slice());
            nc.publish(old.data('ag', op, src), poison.slice());
          }
        }
        nc.publish(old.ctl, JSON.stringify({ from: 0, kind: 'abort', reason: 'attempt 1 died' }));
        await sleep(20);
      }
    })();
    try {
      const plan: RankPlan = { cases: cases(2).slice(0, 4), outDir, configDigest: 'd' };
      const outcomes = await Promise.all(
        startRanks({ natsUrl: server.url, job, attempt: 2, worldSize: 2, plan }).map((r) => r.exited),
      );
      expect(
        outcomes.map((o) => o.code),
        describeOutcomes(outcomes),
      ).to.deep.equal([0, 0]);
      plan.cases.forEach((spec, index) => {
        for (let rank = 0; rank < 2; rank++)
          expect(sameBits(readResult(outDir, rank, index), expectedSum(2, spec))).to.equal(true);
      });
      const stats = outcomes.map(
        (o) => o.events.find((e) => e.event === 'done')!.stats as Record<string, number>,
      );
      expect(stats[0]!.framesReceived).to.equal(stats[1]!.framesSent);
      expect(stats[1]!.framesReceived).to.equal(stats[0]!.framesSent);
      expect(stats[0]!.framesStale! + stats[1]!.framesStale!).to.equal(0);
    } finally {
      flooding = false;
      await flood;
      await nc.close();
    }
  });
});
