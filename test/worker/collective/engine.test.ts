import { expect } from 'chai';
import {
  CollectiveAbortedError,
  CollectiveMismatchError,
  CollectiveTimeoutError,
  PeerLostError,
  FRAME_HEADER_BYTES,
  fixedOrderSum,
} from '../../../worker/internal.js';
import { MemoryGroup } from './memory-group.js';
import { seededVectors } from './vectors.js';

const TINY_FRAME = FRAME_HEADER_BYTES + 64; // 16 fp32 or 32 bf16 elements per chunk

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  return (
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ) === 0
  );
}

describe('worker/collective engine (in-process group, no I/O)', function () {
  for (const n of [1, 2, 3, 4]) {
    for (const wire of ['fp32', 'bf16'] as const) {
      it(`${n} ranks, ${wire}: every rank gets the fixed-order sum's bits, whatever the arrival order`, async function () {
        for (const [length, seed] of [
          [0, 1],
          [1, 2],
          [16 * 3 + 5, 3],
          [1000, 4],
        ] as const) {
          const inputs = seededVectors(n, length, seed * 10 + n);
          const expected = fixedOrderSum(inputs, wire);
          const group = new MemoryGroup(n, { maxFrameBytes: TINY_FRAME, seed, receiverWindowBytes: 1 });
          const results = await Promise.all(
            group.engines.map((engine, r) => engine.allReduceSum(Float32Array.from(inputs[r]!), { wire })),
          );
          for (const result of results)
            expect(bitsEqual(result, expected), `length ${length}`).to.equal(true);
          // receiverWindowBytes: 1 gives the minimum window of 2 frames per pair; it is never exceeded.
          expect(group.maxInFlight).to.be.at.most(2);
          expect(group.corruptedFrames, 'pooled frames reused before delivery').to.equal(0);
        }
      });
    }
  }

  it('reuses its frame buffers: once warm, further all-reduces allocate none, and every sum stays exact', async function () {
    const n = 3;
    for (const wire of ['fp32', 'bf16'] as const) {
      const inputs = seededVectors(n, 16 * 40 + 3, 77);
      const expected = fixedOrderSum(inputs, wire);
      const group = new MemoryGroup(n, { maxFrameBytes: TINY_FRAME, seed: 5 });
      const allocated: number[] = [];
      for (let round = 0; round < 4; round++) {
        const results = await Promise.all(
          group.engines.map((engine, r) => engine.allReduceSum(Float32Array.from(inputs[r]!), { wire })),
        );
        for (const result of results) expect(bitsEqual(result, expected), `round ${round}`).to.equal(true);
        allocated.push(group.engines.reduce((sum, engine) => sum + engine.buffersAllocated, 0));
      }
      expect(allocated[0], wire).to.be.greaterThan(0);
      // The seeded interleaving differs per round, so the second may still grow a pool; later ones may not.
      expect(allocated[3], `${wire}: ${allocated.join(', ')}`).to.equal(allocated[2]);
      expect(group.corruptedFrames).to.equal(0);
    }
  });

  it('runs consecutive operations (early frames of the next one are buffered) and the byte collectives', async function () {
    const group = new MemoryGroup(3, { maxFrameBytes: TINY_FRAME, seed: 9 });
    const payload = Uint8Array.from({ length: 150 }, (_, i) => (i * 7) % 256);
    const results = await Promise.all(
      group.engines.map(async (engine) => {
        const out: unknown[] = [];
        for (let round = 0; round < 3; round++) {
          out.push([...(await engine.broadcast(engine.rank === 1 ? payload : new Uint8Array(0), 1))]);
          out.push((await engine.allGather(new Uint8Array([engine.rank, round]))).map((b) => [...b]));
          await engine.barrier();
          out.push([...(await engine.allReduceSum(new Float32Array([engine.rank + round, 1])))]);
        }
        return { out, stats: engine.stats, op: engine.op };
      }),
    );
    for (const { out, op } of results) {
      expect(op).to.equal(12);
      expect(out[0]).to.deep.equal([...payload]);
      expect(out[1]).to.deep.equal([
        [0, 0],
        [1, 0],
        [2, 0],
      ]);
      expect(out[2]).to.deep.equal([3, 3]);
      expect(out[8]).to.deep.equal([9, 3]);
    }
    expect(results.reduce((sum, r) => sum + r.stats.framesStale, 0)).to.equal(0);
  });

  it('ranks calling different collectives at one operation fail with CollectiveMismatchError', async function () {
    const group = new MemoryGroup(2, { maxFrameBytes: TINY_FRAME });
    const [a, b] = group.engines;
    const outcomes = await Promise.allSettled([
      a!.allGather(new Uint8Array([1])),
      b!.allReduceSum(new Float32Array(4)),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).to.equal('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).to.satisfy(
        (e: Error) => e instanceof CollectiveMismatchError || e instanceof CollectiveAbortedError,
      );
    }
    expect(
      outcomes.some((o) => (o as PromiseRejectedResult).reason instanceof CollectiveMismatchError),
    ).to.equal(true);
  });

  it('a lost peer fails every rank with PeerLostError naming it, and poisons later calls', async function () {
    const group = new MemoryGroup(3, { maxFrameBytes: TINY_FRAME });
    const [a, b] = group.engines;
    const pending = [
      a!.allReduceSum(new Float32Array(40), { step: 17 }),
      b!.allReduceSum(new Float32Array(40), { step: 17 }),
    ];
    a!.peerLost(2, 'no heartbeat for 5000 ms');
    const outcomes = await Promise.allSettled(pending);
    for (const outcome of outcomes) {
      const error = (outcome as PromiseRejectedResult).reason as PeerLostError;
      expect(error).to.be.instanceOf(PeerLostError);
      expect(error.peer).to.equal(2);
      expect(error.reportedBy).to.equal(0);
      expect(error.step).to.equal(17);
      expect(error.collective).to.equal('allReduceSum');
      expect(error.message).to.match(/lost peer rank 2 .*restart the group/);
    }
    const later = await b!.barrier().catch((error: unknown) => error);
    expect(later).to.be.instanceOf(PeerLostError);
    expect((later as PeerLostError).collective).to.equal('barrier');
  });

  it('lost frames end in CollectiveTimeoutError naming what is missing, never a wrong sum', async function () {
    const group = new MemoryGroup(2, { maxFrameBytes: TINY_FRAME, dropFrom: 1, opTimeoutMs: 300 });
    const outcomes = await Promise.allSettled(
      group.engines.map((e) => e.allReduceSum(new Float32Array(40).fill(1))),
    );
    const first = (outcomes[0] as PromiseRejectedResult).reason as CollectiveTimeoutError;
    expect(first).to.be.instanceOf(CollectiveTimeoutError);
    expect(first.missing).to.match(/from ranks 1/);
    expect(outcomes[1]!.status).to.equal('rejected');
  });

  it("the caller's AbortSignal aborts the whole group", async function () {
    const group = new MemoryGroup(2, { maxFrameBytes: TINY_FRAME });
    const controller = new AbortController();
    const pending = group.engines[0]!.barrier({ signal: controller.signal });
    controller.abort(new Error('SIGTERM'));
    const [mine, theirs] = await Promise.allSettled([
      pending,
      group.engines[1]!.barrier().then(() => group.engines[1]!.barrier()),
    ]);
    const error = (mine as PromiseRejectedResult).reason as CollectiveAbortedError;
    expect(error).to.be.instanceOf(CollectiveAbortedError);
    expect(error.reason).to.equal('SIGTERM');
    expect((theirs as PromiseRejectedResult).reason).to.be.instanceOf(CollectiveAbortedError);
  });

  it('a rank that left cleanly does not fail the operations it took part in, only later ones', async function () {
    const group = new MemoryGroup(3, { maxFrameBytes: TINY_FRAME });
    const [a, b, c] = group.engines;
    await Promise.all(group.engines.map((e) => e.barrier()));
    const notice = c!.leaving();
    expect(notice).to.include({ kind: 'left', ops: 1, from: 2 });
    a!.receiveAbort(notice);
    b!.receiveAbort(notice);
    const error = await a!.barrier().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PeerLostError);
    expect((error as PeerLostError).peer).to.equal(2);
    expect((error as PeerLostError).reason).to.equal('it closed the group');
  });
});
