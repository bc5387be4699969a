// One rank of the all-reduce benchmark (bench/allreduce.bench.ts), a process of its own. BENCH_RANK (JSON)
// says what to time: `allreduce` (the collective: NATS, local or hierarchical), `transport-only` (the same
// chunks on the same subjects between the same ranks, owners forwarding once all contributions of a chunk are
// in, with no reduction, framing or credits), or `paired`: both in the same processes, alternating iteration
// by iteration (an all-reduce, then a transport-only run, each after a barrier), so the two see the same
// machine load, which on a shared machine moves by 2x within minutes. Prints one JSON line: per-iteration
// [t0, t1] (CLOCK_MONOTONIC, shared by the processes of one machine, in ns) and CPU seconds of this process,
// for the all-reduce (`times`, `cpu`) and the transport-only run (`onlyTimes`, `onlyCpu`), a SHA-256 of the
// result and how many frame buffers the engine allocated.
import { createHash } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  type Collective,
  type WireFormat,
  joinHierarchicalGroup,
  joinLocalGroup,
  joinNatsGroup,
  chunkElements,
  chunkPayloadBytes,
  planAllReduce,
  wireBytes,
} from '../worker/internal.js';
import { join } from 'node:path';
import { seededVector } from '../test/worker/collective/vectors.js';

export interface BenchRankPlan {
  mode: 'allreduce' | 'transport-only' | 'paired';
  /** `hierarchical`: LOCAL_WORLD_SIZE 2, sockets in `localDir`/node-<k>. */
  transport: 'nats' | 'local' | 'hierarchical';
  rank: number;
  worldSize: number;
  length: number;
  wire: WireFormat;
  warmup: number;
  iterations: number;
  natsUrl: string;
  job: string;
  localDir: string;
  seed: number;
}

export interface BenchRankOutput {
  rank: number;
  times: [string, string][];
  cpu: number[];
  onlyTimes: [string, string][];
  onlyCpu: number[];
  hash: string;
  buffersAllocated?: number;
}

const plan = JSON.parse(process.env.BENCH_RANK ?? '{}') as BenchRankPlan;
const { rank, worldSize } = plan;
const nats = { servers: plan.natsUrl, job: plan.job, attempt: 0, rank, worldSize, configDigest: 'bench' };
const group: Collective =
  plan.transport === 'local'
    ? await joinLocalGroup({ socketDir: plan.localDir, rank, worldSize, configDigest: 'bench' })
    : plan.transport === 'hierarchical'
      ? await joinHierarchicalGroup({
          ...nats,
          localWorldSize: 2,
          socketDir: join(plan.localDir, `node-${Math.floor(rank / 2)}`),
        })
      : await joinNatsGroup(nats);

const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
};

/** Runs `body` after a barrier; returns [t0, t1] and this process's CPU seconds. */
async function timed(body: () => Promise<void>): Promise<{ span: [string, string]; cpu: number }> {
  await group.barrier();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await body();
  const t1 = process.hrtime.bigint();
  return { span: [String(t0), String(t1)], cpu: cpuSeconds(c0) };
}

/** The collective on a seeded vector; `check` hashes the result (outside the timed part). */
function allReduceRunner(): { run: () => Promise<void>; hash: () => string } {
  const input = seededVector(rank, plan.length, plan.seed);
  const vector = new Float32Array(plan.length);
  let hash = '';
  return {
    run: async () => {
      vector.set(input);
      await group.allReduceSum(vector, { wire: plan.wire });
    },
    hash: () => {
      const digest = createHash('sha256').update(new Uint8Array(vector.buffer)).digest('hex');
      if (hash && hash !== digest) hash = 'differs between iterations';
      else hash ||= digest;
      return hash;
    },
  };
}

/**
 * The transport-only pattern on its own connection: each rank publishes its slices (views of one payload, no
 * frame) to the owners' subjects; an owner forwards a chunk on the all-gather subject once its n-1
 * contributions are in. No header: chunk k counts as complete after (k + 1)(n - 1) arrivals (each sender sends
 * its chunks in order), which keeps the message pattern without any framing work.
 */
async function transportOnlyRunner(): Promise<{ run: (i: number) => Promise<void>; nc: NatsConnection }> {
  const nc = await connect({ servers: plan.natsUrl, noEcho: true });
  const shards = planAllReduce(
    plan.length,
    worldSize,
    chunkElements(chunkPayloadBytes(nc.info!.max_payload), plan.wire),
  );
  const elementBytes = wireBytes(plan.wire);
  const payload = new Uint8Array(plan.length * elementBytes);
  const base = `benchraw.${plan.job.replace('/', '.')}`;
  const mine = shards[rank]!;
  const agExpected = shards.reduce((sum, shard) => sum + (shard.owner === rank ? 0 : shard.chunks.length), 0);
  // Per iteration (a faster peer's next iteration can start before this rank's barrier returns).
  const arrivals = new Map<number, number>();
  const remaining = new Map<number, number>();
  const finishers = new Map<number, () => void>();
  const iterationOf = (subject: string) =>
    Number(subject.slice(base.length + 1, subject.indexOf('.', base.length + 1)));
  const send = (subject: string, offset: number, count: number) =>
    nc.publish(subject, payload.subarray(offset * elementBytes, (offset + count) * elementBytes));
  const done = (i: number) => {
    const left = (remaining.get(i) ?? mine.chunks.length + agExpected) - 1;
    remaining.set(i, left);
    if (left === 0) finishers.get(i)?.();
  };
  nc.subscribe(`${base}.*.rs.${rank}`, {
    callback: (_error, msg) => {
      const i = iterationOf(msg.subject);
      const count = (arrivals.get(i) ?? 0) + 1;
      arrivals.set(i, count);
      if (count % (worldSize - 1) !== 0) return;
      const c = mine.chunks[count / (worldSize - 1) - 1]!;
      send(`${base}.${i}.ag.${rank}`, c.offset, c.count);
      done(i);
    },
  });
  nc.subscribe(`${base}.*.ag.*`, { callback: (_error, msg) => done(iterationOf(msg.subject)) });
  await nc.flush();
  await group.barrier();
  return {
    nc,
    run: async (i: number) => {
      const finished = new Promise<void>((resolve) => finishers.set(i, resolve));
      if (worldSize === 1 || remaining.get(i) === 0 || mine.chunks.length + agExpected === 0)
        finishers.get(i)!();
      for (let step = 1; step < worldSize; step++) {
        const shard = shards[(rank + step) % worldSize]!;
        for (const c of shard.chunks) send(`${base}.${i}.rs.${shard.owner}`, c.offset, c.count);
      }
      await finished;
    },
  };
}

const output: BenchRankOutput = { rank, times: [], cpu: [], onlyTimes: [], onlyCpu: [], hash: '' };
const reduce = plan.mode === 'transport-only' ? undefined : allReduceRunner();
const only = plan.mode === 'allreduce' ? undefined : await transportOnlyRunner();
for (let i = 0; i < plan.warmup + plan.iterations; i++) {
  if (reduce) {
    const { span, cpu } = await timed(reduce.run);
    if (i >= plan.warmup) {
      output.times.push(span);
      output.cpu.push(cpu);
    }
    output.hash = reduce.hash();
  }
  if (only) {
    const { span, cpu } = await timed(() => only.run(i));
    if (i >= plan.warmup) {
      output.onlyTimes.push(span);
      output.onlyCpu.push(cpu);
    }
  }
}
if (only) {
  await only.nc.flush();
  await group.barrier();
  await only.nc.close();
}
if ('buffersAllocated' in group && typeof group.buffersAllocated === 'number')
  output.buffersAllocated = group.buffersAllocated;
process.stdout.write(`${JSON.stringify(output)}\n`);
await group.close();
