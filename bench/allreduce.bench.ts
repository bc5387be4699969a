// All-reduce over NATS and the local transport (issue #11, ADR 0020): 16 and 64 MiB fp32 vectors, 2 and 4
// ranks (separate processes), fp32 and bf16 wires; per configuration the median of >= 10 timed iterations
// after 2 warm-ups, each timed as max(t1) - min(t0) over ranks after a barrier; busbw = S/t * 2(n-1)/n with S
// the fp32 size. Beside each NATS figure, in the same run: a transport-only run of the same message pattern
// (bench/allreduce-rank.ts), alternating iteration by iteration with the all-reduce in the same rank processes
// (so both see the same load on a shared machine), and raw 1 -> 1 publish/subscribe throughput. Also logged:
// the ranks' CPU seconds per operation (process.cpuUsage, all ranks together; not the server's) and the frame
// buffers each rank's engine allocated over the whole run. Ends with one JSON line (issue #11).
// Sizes, ranks, wires, transports and iterations can be cut for a quick look or a profile: BENCH_AR_MIB=16
// BENCH_AR_RANKS=2 BENCH_AR_WIRES=bf16 BENCH_AR_TRANSPORTS=nats BENCH_AR_ITERS=10 (hierarchical: BENCH_AR_HIER=0
// skips it). BENCH_AR_PROFILE=<dir> writes a V8 CPU profile of every rank process there (node --cpu-prof).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { startNats } from '../test/harness/index.js';
import type { WireFormat } from '../worker/internal.js';
import type { BenchRankOutput, BenchRankPlan } from './allreduce-rank.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const RANK_SCRIPT = fileURLToPath(new URL('./allreduce-rank.ts', import.meta.url));
const MiB = 1024 * 1024;

interface Row {
  transport: 'nats' | 'local';
  ranks: number;
  bytes: number;
  wire: WireFormat;
  seconds: number;
  busbwMiBps: number;
  transportOnlySeconds: number | null;
  ratio: number | null;
}

function numbers(name: string, fallback: number[]): number[] {
  const value = process.env[name];
  return value ? value.split(',').map(Number) : fallback;
}

function words(name: string, fallback: string[]): string[] {
  const value = process.env[name];
  return value ? value.split(',') : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface RankRuns {
  /** Per iteration: max(t1) - min(t0) over the ranks, and the ranks' CPU seconds together (not the server's). */
  seconds: number[];
  cpuSeconds: number[];
  onlySeconds: number[];
  onlyCpuSeconds: number[];
  hashes: string[];
  buffers: number[];
}

function spans(outputs: BenchRankOutput[], pick: (o: BenchRankOutput) => [string, string][]): number[] {
  return pick(outputs[0]!).map((_, i) => {
    const t0 = outputs.map((o) => BigInt(pick(o)[i]![0])).reduce((a, b) => (a < b ? a : b));
    const t1 = outputs.map((o) => BigInt(pick(o)[i]![1])).reduce((a, b) => (a > b ? a : b));
    return Number(t1 - t0) / 1e9;
  });
}

function cpuSums(outputs: BenchRankOutput[], pick: (o: BenchRankOutput) => number[]): number[] {
  return pick(outputs[0]!).map((_, i) => outputs.reduce((sum, o) => sum + pick(o)[i]!, 0));
}

/** Runs one configuration's ranks; resolves with the per-iteration figures and every rank's result hash. */
async function runRanks(base: Omit<BenchRankPlan, 'rank'>, signal: AbortSignal): Promise<RankRuns> {
  const outputs = await Promise.all(
    Array.from({ length: base.worldSize }, (_, rank) => {
      const profile = process.env.BENCH_AR_PROFILE;
      const args = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
      const child = spawn(process.execPath, [...args, '--import', 'tsx', RANK_SCRIPT], {
        env: { ...process.env, BENCH_RANK: JSON.stringify({ ...base, rank }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const kill = () => child.kill('SIGKILL');
      signal.addEventListener('abort', kill, { once: true });
      const timer = setTimeout(kill, 15 * 60_000);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      return new Promise<BenchRankOutput>((resolve, reject) =>
        child.once('exit', (code) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', kill);
          if (code === 0) resolve(JSON.parse(stdout.trim().split('\n').pop()!) as BenchRankOutput);
          else
            reject(
              new Error(
                `rank ${rank} (${base.mode} ${base.transport}) exited ${code}: ${stderr.slice(-1500)}`,
              ),
            );
        }),
      );
    }),
  );
  return {
    seconds: spans(outputs, (o) => o.times),
    cpuSeconds: cpuSums(outputs, (o) => o.cpu),
    onlySeconds: spans(outputs, (o) => o.onlyTimes),
    onlyCpuSeconds: cpuSums(outputs, (o) => o.onlyCpu),
    hashes: outputs.map((o) => o.hash),
    buffers: outputs.map((o) => o.buffersAllocated ?? 0),
  };
}

/** Raw publish -> subscribe throughput of 512 KiB messages between two connections, flushed every 16 MiB. */
async function rawPubSub(url: string, totalBytes: number): Promise<number> {
  const pub = await connect({ servers: url });
  const sub = await connect({ servers: url });
  const payload = new Uint8Array(512 * 1024);
  const count = Math.ceil(totalBytes / payload.length);
  let got = 0;
  const done = new Promise<void>((resolve) =>
    sub.subscribe('bench.raw', {
      callback: () => {
        if (++got === count) resolve();
      },
    }),
  );
  await sub.flush();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    pub.publish('bench.raw', payload);
    if ((i + 1) % 32 === 0) await pub.flush();
  }
  await done;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all([pub.close(), sub.close()]);
  return (count * payload.length) / MiB / seconds;
}

const benchmark: Benchmark = {
  title: 'All-reduce over NATS and the local transport',
  async run({ signal, log }) {
    const sizes = numbers('BENCH_AR_MIB', [16, 64]);
    const rankCounts = numbers('BENCH_AR_RANKS', [2, 4]);
    const iterations = numbers('BENCH_AR_ITERS', [10])[0]!;
    const wires = words('BENCH_AR_WIRES', ['fp32', 'bf16']) as WireFormat[];
    const transports = words('BENCH_AR_TRANSPORTS', ['nats', 'local']) as ('nats' | 'local')[];
    const nats = await startNats({ signal });
    const localRoot = mkdtempSync(join(tmpdir(), 'bacl-arb-'));
    const rows: Row[] = [];
    const hashesByKey = new Map<string, string[]>();
    let bitwiseEqual = true;
    let runId = 0;
    try {
      const raw = [await rawPubSub(nats.url, 256 * MiB), await rawPubSub(nats.url, 256 * MiB)];
      const rawMiBps = Math.max(...raw);
      log(
        `raw NATS publish -> subscribe, 512 KiB messages: ${raw.map((r) => r.toFixed(0)).join(', ')} MiB/s`,
      );
      for (const transport of transports) {
        for (const ranks of rankCounts) {
          for (const mib of sizes) {
            for (const wire of wires) {
              const bytes = mib * MiB;
              const base = {
                transport,
                worldSize: ranks,
                length: bytes / 4,
                wire,
                warmup: 2,
                iterations,
                natsUrl: nats.url,
                localDir: mkdtempSync(join(localRoot, 'g')),
                seed: 42,
              };
              // NATS: the all-reduce and the transport-only run alternate in the same processes (paired).
              const result = await runRanks(
                { ...base, mode: transport === 'nats' ? 'paired' : 'allreduce', job: `bench/ar-${runId++}` },
                signal,
              );
              const seconds = median(result.seconds);
              const key = `${ranks}/${bytes}/${wire}`;
              if (new Set(result.hashes).size !== 1 || result.hashes[0]!.length !== 64) bitwiseEqual = false;
              const other = hashesByKey.get(key);
              if (other && other[0] !== result.hashes[0]) bitwiseEqual = false;
              hashesByKey.set(key, result.hashes);
              const transportOnlySeconds = transport === 'nats' ? median(result.onlySeconds) : null;
              const transportOnlyCpu = transport === 'nats' ? median(result.onlyCpuSeconds) : null;
              const cpu = median(result.cpuSeconds);
              const busbwMiBps = (bytes / MiB / seconds) * ((2 * (ranks - 1)) / ranks);
              const row: Row = {
                transport,
                ranks,
                bytes,
                wire,
                seconds,
                busbwMiBps,
                transportOnlySeconds,
                ratio: transportOnlySeconds === null ? null : seconds / transportOnlySeconds,
              };
              rows.push(row);
              log(
                `${transport} n=${ranks} ${mib} MiB ${wire}: median ${seconds.toFixed(3)} s (min ${Math.min(...result.seconds).toFixed(3)}, ` +
                  `max ${Math.max(...result.seconds).toFixed(3)}), busbw ${busbwMiBps.toFixed(1)} MiB/s, ranks' CPU ${cpu.toFixed(3)} s, ` +
                  `buffers allocated ${result.buffers.join('/')}` +
                  (transportOnlySeconds === null
                    ? ''
                    : `, transport-only ${transportOnlySeconds.toFixed(3)} s (ranks' CPU ${transportOnlyCpu!.toFixed(3)} s), ratio ${row.ratio!.toFixed(2)}, busbw/raw ${(busbwMiBps / rawMiBps).toFixed(2)}`),
              );
            }
          }
        }
      }
      // Hierarchical (2 simulated nodes x 2 local ranks) against flat NATS at n=4: logged, not in the JSON line
      // (whose transports are nats and local); it decides whether the mode may become the default (ADR 0020).
      if (rankCounts.includes(4) && process.env.BENCH_AR_HIER !== '0') {
        const mib = Math.min(...sizes);
        const localDir = mkdtempSync(join(localRoot, 'h'));
        for (const node of [0, 1]) mkdirSync(join(localDir, `node-${node}`));
        const base = {
          transport: 'hierarchical' as const,
          worldSize: 4,
          length: (mib * MiB) / 4,
          wire: 'fp32' as const,
          warmup: 2,
          iterations,
          natsUrl: nats.url,
          localDir,
          seed: 42,
        };
        const result = await runRanks({ ...base, mode: 'allreduce', job: `bench/hier-${runId++}` }, signal);
        const seconds = median(result.seconds);
        const flat = rows.find(
          (r) => r.transport === 'nats' && r.ranks === 4 && r.bytes === mib * MiB && r.wire === 'fp32',
        );
        if (
          new Set(result.hashes).size !== 1 ||
          hashesByKey.get(`4/${mib * MiB}/fp32`)?.[0] !== result.hashes[0]
        )
          bitwiseEqual = false;
        log(
          `hierarchical 2x2 ${mib} MiB fp32: median ${seconds.toFixed(3)} s, busbw ${((mib / seconds) * 1.5).toFixed(1)} MiB/s` +
            (flat ? `, ${(flat.seconds / seconds).toFixed(2)}x flat NATS's speed` : ''),
        );
      }
      // R50-FPN, ~41M parameters = 164 MB of fp32 gradients, at 2 nodes x 8 GPUs (n = 16), from the 4-rank busbw.
      for (const wire of ['fp32', 'bf16'] as const) {
        const row = rows.find(
          (r) =>
            r.transport === 'nats' &&
            r.ranks === Math.max(...rankCounts) &&
            r.bytes === Math.max(...sizes) * MiB &&
            r.wire === wire,
        );
        if (row) {
          const seconds = (41e6 * 4 * ((2 * 15) / 16)) / (row.busbwMiBps * MiB);
          log(
            `projection: R50-FPN all-reduce at n=16 (flat, ${wire}) ~ ${seconds.toFixed(1)} s per step at ${row.busbwMiBps.toFixed(0)} MiB/s busbw`,
          );
        }
      }
    } finally {
      await nats.stop();
      rmSync(localRoot, { recursive: true, force: true });
    }
    const figures: BenchFigure[] = [];
    process.stdout.write(
      `${JSON.stringify({
        allreduce: rows.map((r) => ({
          transport: r.transport,
          ranks: r.ranks,
          bytes: r.bytes,
          wire: r.wire,
          seconds: r.seconds,
          busbwMiBps: r.busbwMiBps,
          transportOnlySeconds: r.transportOnlySeconds,
          ratio: r.ratio,
        })),
        bitwiseEqual,
      })}\n`,
    );
    return figures;
  },
};

export default benchmark;
