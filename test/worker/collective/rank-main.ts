// One rank of a collectives test group, run as its own process (node --import tsx). The rank environment
// (design.md) says who it is: no NATS_URL means the local transport (sockets in BACL_LOCAL_DIR), LOCAL_WORLD_SIZE
// > 1 the hierarchical mode (BACL_LOCAL_DIR per node); RANK_PLAN (JSON) says what to run. Each all-reduce result is written to
// <outDir>/r<rank>-c<case>.bin and one JSON line per event goes to stdout; exit 0 when every case succeeded,
// 3 on a collective error (its class and fields on stdout).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CollectiveError,
  PeerLostError,
  joinGroup,
  readGroupVariables,
  type Collective,
  type WireFormat,
} from '../../../worker/internal.js';
import { seededVectors } from './vectors.js';

export interface RankPlan {
  cases: { length: number; wire: WireFormat; seed: number }[];
  outDir: string;
  configDigest: string;
  heartbeatMs?: number;
  peerTimeoutMs?: number;
  opTimeoutMs?: number;
  preferredChunkBytes?: number;
  /** This rank sends itself `signal` right after starting case `atCase` (a death or a freeze mid all-reduce). */
  selfSignal?: { rank: number; signal: 'SIGKILL' | 'SIGSTOP'; atCase: number };
  /** Run a barrier after the cases (so a rank that finished cannot miss that another failed). */
  finalBarrier?: boolean;
}

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

const env = process.env;
const rank = Number(env.RANK);
const worldSize = Number(env.WORLD_SIZE);
const plan = JSON.parse(env.RANK_PLAN ?? '{}') as RankPlan;

let group: Collective | undefined;
try {
  // No NATS_URL: the local transport (sockets in BACL_LOCAL_DIR); LOCAL_WORLD_SIZE > 1: hierarchical.
  const { group: groupEnv, problems } = readGroupVariables(env);
  if (groupEnv === undefined) throw new Error(`bad rank environment: ${JSON.stringify(problems)}`);
  group = await joinGroup(groupEnv, {
    configDigest: plan.configDigest,
    hierarchical: true,
    ...(env.BACL_LOCAL_DIR ? { socketDir: env.BACL_LOCAL_DIR } : {}),
    ...(plan.opTimeoutMs === undefined ? {} : { opTimeoutMs: plan.opTimeoutMs }),
    ...(plan.preferredChunkBytes === undefined ? {} : { preferredChunkBytes: plan.preferredChunkBytes }),
    ...(plan.heartbeatMs === undefined ? {} : { heartbeatMs: plan.heartbeatMs }),
    ...(plan.peerTimeoutMs === undefined ? {} : { peerTimeoutMs: plan.peerTimeoutMs }),
  });
  emit({ event: 'joined', rank });
  for (const [index, spec] of plan.cases.entries()) {
    const vector = seededVectors(worldSize, spec.length, spec.seed)[rank]!;
    const pending = group.allReduceSum(vector, { wire: spec.wire, step: index });
    if (plan.selfSignal?.rank === rank && plan.selfSignal.atCase === index) {
      emit({ event: 'signalling', signal: plan.selfSignal.signal });
      process.kill(process.pid, plan.selfSignal.signal);
    }
    const result = await pending;
    writeFileSync(
      join(plan.outDir, `r${rank}-c${index}.bin`),
      Buffer.from(result.buffer, result.byteOffset, result.byteLength),
    );
    emit({ event: 'result', case: index });
  }
  if (plan.finalBarrier) await group.barrier();
  emit({ event: 'done', stats: 'stats' in group ? group.stats : undefined });
  await group.close();
} catch (error) {
  if (!(error instanceof CollectiveError)) throw error;
  emit({
    event: 'error',
    name: error.name,
    collective: error.collective,
    step: error.step,
    peer: error instanceof PeerLostError ? error.peer : undefined,
    message: error.message,
  });
  await group?.close();
  process.exitCode = 3;
}
