import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fixedOrderSum } from '../../../worker/internal.js';
import { sharedNats } from '../../harness/index.js';
import type { RankPlan } from './rank-main.js';
import { killRanks, startRanks, type RankOutcome } from './rank-group.js';
import { seededVectors } from './vectors.js';

// Small chunks (4 KiB) on both transports, so vectors of a few thousand floats still span many chunks.
const CHUNK = 4096;

function describeOutcomes(outcomes: RankOutcome[]): string {
  return outcomes
    .map((o) => `rank ${o.rank} code ${o.code} ${JSON.stringify(o.events)}\n${o.stderr.slice(-2000)}`)
    .join('\n');
}

describe('worker/collective local transport (ranks as processes, Unix sockets)', function () {
  this.timeout(180_000);
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'bacl-local-'));
  });

  afterEach(function () {
    killRanks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('3 ranks, fp32 and bf16: the same bits as the fixed-order sum and as the NATS transport', async function () {
    const n = 3;
    const cases: RankPlan['cases'] = [1, 3 * 1024 + 5, 10_001].flatMap((length, i) =>
      (['fp32', 'bf16'] as const).map((wire, w) => ({ length, wire, seed: 700 + 10 * i + w })),
    );
    const run = async (transport: 'local' | 'nats') => {
      const outDir = join(dir, transport);
      mkdirSync(outDir);
      const plan: RankPlan = { cases, outDir, configDigest: 'same', preferredChunkBytes: CHUNK };
      const nats = transport === 'nats' ? await sharedNats() : undefined;
      const ranks = startRanks({
        worldSize: n,
        plan,
        job: `dist-test/local-vs-nats-${process.pid}`,
        attempt: 0,
        ...(nats ? { natsUrl: nats.url } : { localDir: dir }),
      });
      const outcomes = await Promise.all(ranks.map((r) => r.exited));
      expect(
        outcomes.map((o) => o.code),
        describeOutcomes(outcomes),
      ).to.deep.equal([0, 0, 0]);
      return outDir;
    };
    const localDir = await run('local');
    const natsDir = await run('nats');
    cases.forEach((spec, index) => {
      const expected = Buffer.from(fixedOrderSum(seededVectors(n, spec.length, spec.seed), spec.wire).buffer);
      for (let rank = 0; rank < n; rank++) {
        const local = readFileSync(join(localDir, `r${rank}-c${index}.bin`));
        const nats = readFileSync(join(natsDir, `r${rank}-c${index}.bin`));
        expect(local.equals(expected), `local rank ${rank} case ${index}`).to.equal(true);
        expect(local.equals(nats), `local vs NATS rank ${rank} case ${index}`).to.equal(true);
      }
    });
  });

  it('a rank SIGKILLed mid all-reduce: the others fail with PeerLostError naming it', async function () {
    const plan: RankPlan = {
      cases: [{ length: 50_000, wire: 'fp32', seed: 5 }],
      outDir: dir,
      configDigest: 'd',
      opTimeoutMs: 120_000,
      selfSignal: { rank: 2, signal: 'SIGKILL', atCase: 0 },
    };
    const outcomes = await Promise.all(
      startRanks({ job: 'x/y', attempt: 0, worldSize: 3, plan, localDir: dir }).map((r) => r.exited),
    );
    expect(outcomes[2]!.signal).to.equal('SIGKILL');
    for (const outcome of [outcomes[0]!, outcomes[1]!]) {
      expect(outcome.code, describeOutcomes(outcomes)).to.equal(3);
      expect(outcome.events.find((e) => e.event === 'error')).to.include({
        name: 'PeerLostError',
        peer: 2,
        collective: 'allReduceSum',
      });
    }
  });

  it('hierarchical, 2 nodes x 2 local ranks (simulated by env): the flat fixed-order bits, fp32 and bf16', async function () {
    const nats = await sharedNats();
    const cases: RankPlan['cases'] = [1, 3 * 1024 + 5, 10_001].flatMap((length, i) =>
      (['fp32', 'bf16'] as const).map((wire, w) => ({ length, wire, seed: 900 + 10 * i + w })),
    );
    const plan: RankPlan = { cases, outDir: dir, configDigest: 'h', preferredChunkBytes: CHUNK };
    for (const node of [0, 1]) mkdirSync(join(dir, `node-${node}`));
    const ranks = startRanks({
      natsUrl: nats.url,
      job: `dist-test/hier-${process.pid}`,
      attempt: 0,
      worldSize: 4,
      plan,
      env: (rank) => ({ LOCAL_WORLD_SIZE: '2', BACL_LOCAL_DIR: join(dir, `node-${Math.floor(rank / 2)}`) }),
    });
    const outcomes = await Promise.all(ranks.map((r) => r.exited));
    expect(
      outcomes.map((o) => o.code),
      describeOutcomes(outcomes),
    ).to.deep.equal([0, 0, 0, 0]);
    cases.forEach((spec, index) => {
      const flat = Buffer.from(fixedOrderSum(seededVectors(4, spec.length, spec.seed), spec.wire).buffer);
      for (let rank = 0; rank < 4; rank++) {
        expect(
          readFileSync(join(dir, `r${rank}-c${index}.bin`)).equals(flat),
          `rank ${rank} case ${index}`,
        ).to.equal(true);
      }
    });
  });
});
