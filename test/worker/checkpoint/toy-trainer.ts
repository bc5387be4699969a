// A toy two-rank "trainer" run as a child process by resume.test.ts: plain float32 SGD with momentum on 32
// weights, a per-rank RNG with an explicit uint32 state, a per-rank data cursor and per-rank running statistics
// (the FHM's role), checkpointed through the real store and commit protocol. Nothing about it is random between
// runs, so a run killed and resumed must end with the same bits as one that was not.
//
//   node --import tsx toy-trainer.ts <run-uri> <totalSteps> <everySteps> <final-file>
//   (an s3:// run URI takes its endpoint and credentials from the standard AWS_* variables)
//   STALL_AFTER_PARTS=<step>: write checkpoint <step>'s parts, print `parts <step>`, then hang before commit
//   SLOW=1: pause between steps and print `step <n>`; SIGTERM saves a final checkpoint and exits 130
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { hash32 } from '../../../common/index.js';
import { resolveS3ClientConfig } from '../../../data/index.js';
import {
  commit,
  decodeRankState,
  decodeSharedState,
  encodeRankState,
  encodeSharedState,
  openCheckpointStore,
  pruneCheckpoints,
  resumeLatest,
  watchTermination,
  writeRankState,
  writeSharedState,
  type JsonValue,
} from '../../../worker/internal.js';

const [uri = '', totalText = '0', everyText = '0', finalFile = ''] = process.argv.slice(2);
const total = Number(totalText);
const every = Number(everyText);
const stallAt =
  process.env.STALL_AFTER_PARTS === undefined ? undefined : Number(process.env.STALL_AFTER_PARTS);
const slow = process.env.SLOW === '1';
const WORLD = 2;
const N = 32;
const stage = 'stage1';
const s3 = uri.startsWith('s3://') ? new S3Client(resolveS3ClientConfig({}, process.env)) : undefined;
const store = openCheckpointStore(uri, { s3 });
const watch = watchTermination({ signals: ['SIGTERM'] });

let weights = new Float32Array(N).map((_, i) => Math.fround(Math.sin(i + 1)));
let momentum = new Float32Array(N);
const ranks = Array.from({ length: WORLD }, (_, rank) => ({
  rng: [hash32(7, rank)],
  cursor: { sample: rank * 1000 },
  stats: new Float32Array(4),
}));

function uniform(state: number[]): number {
  state[0] = ((state[0] ?? 0) + 0x9e3779b9) >>> 0;
  let z = state[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
}

function trainStep(): void {
  const mean = new Float32Array(N);
  for (const rank of ranks) {
    const x = hash32(11, rank.cursor.sample) / 4294967296;
    rank.cursor.sample += 1;
    for (let i = 0; i < N; i++) {
      const grad = Math.fround(weights[i]! * x + uniform(rank.rng) - 0.5);
      mean[i] = Math.fround(mean[i]! + grad / WORLD);
      if (i < 4) rank.stats[i] = Math.fround(0.9 * rank.stats[i]! + 0.1 * grad);
    }
  }
  for (let i = 0; i < N; i++) {
    momentum[i] = Math.fround(0.9 * momentum[i]! + mean[i]!);
    weights[i] = Math.fround(weights[i]! - 0.01 * momentum[i]!);
  }
}

async function checkpoint(step: number, signal?: AbortSignal): Promise<void> {
  for (const [rank, state] of ranks.entries()) {
    const blobs = encodeRankState({
      rng: state.rng,
      cursor: state.cursor,
      fhm: [{ name: 'stats', kind: 'state', dtype: 'float32', shape: [4], data: state.stats }],
    });
    await writeRankState(store, stage, step, rank, blobs, signal);
  }
  const shared = encodeSharedState({
    weights: [{ name: 'w', kind: 'parameter', dtype: 'float32', shape: [N], data: weights }],
    optimizer: [{ name: 'w', kind: 'state', dtype: 'float32', shape: [N], data: momentum }],
  });
  await writeSharedState(store, stage, step, shared, signal);
  if (step === stallAt) {
    console.log(`parts ${step}`);
    await new Promise(() => setInterval(() => undefined, 1000)); // killed here
  }
  await commit(store, { stage, step, worldSize: WORLD, configDigest: 'toy', signal });
  await pruneCheckpoints(store, stage, 2, signal);
}

const resumed = await resumeLatest(store, stage, {
  expect: { worldSize: WORLD, configDigest: 'toy' },
  onFallback: (error, next) => console.log(`fallback ${error.object} -> ${next}`),
});
let done = 0;
if (resumed !== undefined) {
  const shared = decodeSharedState(resumed);
  weights = Float32Array.from(shared.weights[0]!.data);
  momentum = Float32Array.from(shared.optimizer[0]!.data);
  for (const [rank, state] of ranks.entries()) {
    const restored = decodeRankState(resumed, rank);
    state.rng = [...restored.rng];
    state.cursor = restored.cursor as { sample: number } & JsonValue;
    state.stats = Float32Array.from(restored.fhm[0]!.data);
  }
  done = resumed.step;
  console.log(`resumed ${done}`);
}
while (done < total) {
  trainStep();
  done += 1;
  if (done % every === 0) await checkpoint(done);
  if (slow) {
    console.log(`step ${done}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (watch.requested.aborted) {
    const code = await watch.checkpointBeforeExit((signal) => checkpoint(done, signal));
    console.log(`saved ${done}`);
    process.exit(code);
  }
}
const out = [weights, momentum, ...ranks.map((r) => r.stats), Uint32Array.from(ranks.map((r) => r.rng[0]!))];
await mkdir(dirname(finalFile), { recursive: true });
await writeFile(finalFile, Buffer.concat(out.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
console.log(`finished ${done}`);
watch.dispose();
s3?.destroy();
