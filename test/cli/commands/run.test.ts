// `baclctl run` as users run it: real processes (the CLI from the sources, two wasm rank processes each), the
// tiny config on a micro schedule, a private cache (the synthetic dataset is generated once for the file).
// - the -o json object, the --out layout, metrics.json equal to `baclctl eval` on detections.json, the table;
// - a run whose CLI is SIGKILLed mid-stage (its ranks stop when their launcher is gone) and rerun ends with the
//   same bits as one never interrupted: locally, and over the real nats-server and S3 server;
// - a rank SIGKILLed: the other fails with the collective's error naming it, the run exits 1, the last
//   checkpoint still verifies;
// - an absurd learning rate: LossDiverged naming stage and step, exit 1 (the rank's 5), the checkpoint before it kept;
// - bacl-worker ranks running only the evaluate stage on that run's checkpoints, as the operator's evaluate
//   pods do (ADR 0029): one rank writes detections.json byte-identical to the run's two-rank evaluate; with a
//   damaged shard in rank 1's share of two, rank 1 fails, rank 0 fails naming it, and no metrics are written.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import type { RankReport } from '../../../common/index.js';
import { openDatasetSource, planRankShare, readShardManifest } from '../../../data/internal.js';
import {
  launchRanks,
  LocalCheckpointStore,
  readCheckpoint,
  readLatestPointer,
  S3CheckpointStore,
  workerEntryCommand,
} from '../../../worker/internal.js';
import { makeWorkDir, sharedNats, sharedS3, waitFor } from '../../harness/index.js';
import { cliRoot } from '../kube-fixture.js';

const micro = [
  'schedule.representation.iterations=8',
  'schedule.representation.warmup_iters=2',
  'schedule.representation.lr_steps=[6]',
  'schedule.classifier.iterations=6',
  'schedule.classifier.lr_steps=[5]',
  'checkpoint.every_steps=2',
  'checkpoint.keep_last=10',
].flatMap((set) => ['--set', set]);

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  done: Promise<Finished>;
}

let cache: string;

function baclctl(args: string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--disable-warning=ExperimentalWarning', 'bin/dev.js', ...args],
    { cwd: cliRoot, env: { ...process.env, BACL_CACHE_DIR: cache, NODE_ENV: 'development', ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

const run = (out: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  baclctl(['run', 'tiny', '--workers', '2', '--backend', 'wasm', '--out', out, ...micro, ...extra], env);

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The final weights of both stages and the detections: what "the same bits" is checked on. */
async function finalBits(store: LocalCheckpointStore | S3CheckpointStore): Promise<string[]> {
  const bits: string[] = [];
  for (const stage of ['representation', 'classifier']) {
    const latest = await readLatestPointer(store, stage);
    expect(latest?.step, stage).to.equal(stage === 'representation' ? 8 : 6);
    bits.push(sha(await store.get(`checkpoints/${stage}/ckpt-${latest!.step}/shared/weights.bin`)));
    bits.push(sha(await store.get(`checkpoints/${stage}/ckpt-${latest!.step}/shared/optimizer.bin`)));
  }
  bits.push(sha(await store.get('eval/detections.json')));
  return bits;
}

/** The rank processes the CLI forked (its direct children). */
function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((value) => value > 0);
  } catch {
    return [];
  }
}

/** The val shards `baclctl run` prepared into the test's cache. */
function valShards(): string {
  const [dataset] = readdirSync(join(cache, 'datasets'));
  return join(cache, 'datasets', dataset!, 'shards-val');
}

/**
 * bacl-worker as the operator starts it in an evaluate pod, on this machine: the launcher forks `workers`
 * ranks that run only the evaluate stage, on the checkpoints of the finished run `trained`, reading the val
 * shards in `val` and writing under `runDir`.
 */
async function evaluateOnly(
  trained: string,
  workers: number,
  val: string,
  runDir: string,
): Promise<{ exitCode: number; log: string; reports: RankReport[] }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['RANK', 'LOCAL_RANK', 'NATS_URL', 'NATS_CREDS', 'BACL_DATASET_TRAIN']) delete env[name];
  const entry = workerEntryCommand();
  let log = '';
  const reports: RankReport[] = [];
  const group = launchRanks({
    command: entry.command,
    args: entry.args,
    env: {
      ...env,
      BACL_JOB: 'test/evaluate-only',
      BACL_ATTEMPT: String(Date.now()),
      BACL_STAGE: 'evaluate',
      BACL_CONFIG: join(trained, 'config.yaml'),
      BACL_RUN_URI: runDir,
      BACL_CHECKPOINT_URI: trained,
      BACL_DATASET_VAL: val,
      BACL_SOCKET_DIR: await mkdtemp(join(tmpdir(), 'bacl-ev-')),
      BACL_TF_BACKEND: 'wasm',
    },
    pod: { worldSize: workers, localWorldSize: workers, nodeRank: 0 },
    io: { stdout: (text) => (log += text), stderr: (text) => (log += text) },
    // A loaded machine may take a while to reach the next round, where the others notice a failed rank.
    failureGraceMs: 300_000,
    onReport: (_, report) => reports.push(report),
  });
  const { exitCode } = await group.done;
  return { exitCode, log, reports };
}

describe('baclctl run (real processes: the CLI and two wasm ranks)', function () {
  this.timeout(900_000);
  let straight: string;
  let straightBits: string[];

  before(function () {
    cache = makeWorkDir('run-cache');
  });

  it('trains, evaluates and prints one JSON object; --out holds the layout; metrics.json equals baclctl eval', async function () {
    straight = join(makeWorkDir('run-straight'), 'out');
    const { code, stdout, stderr } = await run(straight, ['-o', 'json']).done;
    expect(code, stderr).to.equal(0);
    const result = JSON.parse(stdout) as {
      backend: string;
      workers: number;
      stages: Array<{ name: string; iterations: number; seconds: number; imagesPerSecond: number }>;
      metrics: Record<string, number>;
      out: string;
    };
    expect(result).to.include({ backend: 'wasm', workers: 2, out: straight });
    expect(result.stages.map((stage) => [stage.name, stage.iterations])).to.deep.equal([
      ['representation', 8],
      ['classifier', 6],
      ['evaluate', 60],
    ]);
    expect(result.stages.every((stage) => stage.seconds > 0 && stage.imagesPerSecond > 0)).to.equal(true);
    for (const key of ['AP', 'AP50', 'APr', 'APc', 'APf']) expect(result.metrics[key], key).to.be.a('number');

    for (const path of [
      'config.yaml',
      'checkpoints/representation/latest.json',
      'checkpoints/classifier/latest.json',
      'eval/detections.json',
      'eval/metrics.json',
      'logs/worker.log',
    ]) {
      expect(existsSync(join(straight, path)), path).to.equal(true);
    }
    expect(readdirSync(join(straight, 'tb'))).to.include.members(['representation', 'classifier']);
    const log = readFileSync(join(straight, 'logs', 'worker.log'), 'utf8');
    expect(log).to.match(
      /\[rank 0\] Iter \[8\/8\]\tlr: [0-9.e+-]+, eta: 0:00:00, time: [0-9.]+, data_time: [0-9.]+, loss_rpn_cls: /,
    );

    // metrics.json equals `baclctl eval` on the detections it left, against the val split's annotations.
    const shards = readdirSync(join(cache, 'datasets')).map((dir) =>
      join(cache, 'datasets', dir, 'shards-val'),
    );
    const gt = join(shards[0]!, 'annotations.json');
    const evaluated = await runCommand(
      ['eval', '--gt', gt, '--results', join(straight, 'eval', 'detections.json'), '-o', 'json'],
      { root: cliRoot },
    );
    expect(evaluated.error).to.equal(undefined);
    expect(JSON.parse(evaluated.stdout)).to.deep.equal(
      JSON.parse(readFileSync(join(straight, 'eval', 'metrics.json'), 'utf8')),
    );
    straightBits = await finalBits(new LocalCheckpointStore(straight));

    // Rerunning a finished run trains nothing, evaluates again, and prints the table.
    const again = await run(straight).done;
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stderr).to.contain(`Resuming ${straight}`);
    expect(again.stdout).to.match(/by frequency\s+APr\s+[-0-9.]+\s+APc\s+[-0-9.]+\s+APf\s+[-0-9.]+/);
    expect(again.stdout).to.match(/^AP\s+AP\s+/m);
    expect(await finalBits(new LocalCheckpointStore(straight))).to.deep.equal(straightBits);
  });

  it("an evaluate-only group of one rank writes the two-rank run's detections.json byte for byte", async function () {
    const out = makeWorkDir('run-evaluate-one');
    const { exitCode, log, reports } = await evaluateOnly(straight, 1, valShards(), out);
    expect(exitCode, log.slice(-3000)).to.equal(0);
    const two = new LocalCheckpointStore(straight);
    const one = new LocalCheckpointStore(out);
    expect(sha(await one.get('eval/detections.json'))).to.equal(sha(await two.get('eval/detections.json')));
    expect(sha(await one.get('eval/metrics.json'))).to.equal(sha(await two.get('eval/metrics.json')));
    expect(await one.list('eval')).to.deep.equal(['eval/detections.json', 'eval/metrics.json']);
    // Progress counts val images; the last report says all of them.
    const evaluate = reports.filter((report) => report.kind === 'progress' && report.stage === 'evaluate');
    expect(evaluate.at(-1)).to.include({ step: 60, totalSteps: 60 });
  });

  it('an evaluate-only group of two whose rank 1 fails: rank 0 fails naming it, no metrics are written', async function () {
    // A copy of the val shards whose last shard is cut short past the records rank 0 reads of it: only
    // rank 1's share reaches the cut.
    const val = join(makeWorkDir('run-evaluate-damaged'), 'shards-val');
    await cp(valShards(), val, { recursive: true });
    const { shards } = await readShardManifest(openDatasetSource(val));
    const last = planRankShare(shards, { rank: 1, worldSize: 2 }).at(-1)!;
    const zero = planRankShare(shards, { rank: 0, worldSize: 2 }).find((slice) => slice.shard === last.shard);
    const kept = (zero?.to ?? 0) + 0.6 * (last.to - (zero?.to ?? 0));
    const shard = join(val, last.shard);
    await truncate(shard, Math.floor(((await stat(shard)).size * kept) / last.to));
    const out = makeWorkDir('run-evaluate-failed');
    const { exitCode, log } = await evaluateOnly(straight, 2, val, out);
    expect(exitCode, log.slice(-3000)).to.not.equal(0);
    expect(log).to.match(/\[rank 1\] bacl-worker: rank 1: /);
    expect(log).to.match(/\[rank 0\] bacl-worker: rank 0: evaluate: rank 1 failed \(/);
    const store = new LocalCheckpointStore(out);
    expect((await store.list('eval')).filter((name) => !name.startsWith('eval/parts/'))).to.deep.equal([]);
  });

  /** SIGKILLs the CLI once `store` has a checkpoint of stage `stage` at `step`, then reruns the same command. */
  async function killAndResume(
    args: () => Started,
    latest: () => Promise<number | undefined>,
  ): Promise<Finished> {
    const first = args();
    await waitFor('a checkpoint to kill after', async () => ((await latest()) ?? 0) >= 4, {
      timeoutMs: 600_000,
      intervalMs: 100,
    });
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).to.equal(null);
    // The ranks notice their launcher is gone and stop without writing anything more.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return args().done;
  }

  it('a run SIGKILLed mid-stage and rerun ends with the bits of one never interrupted (local sockets, directory)', async function () {
    const out = join(makeWorkDir('run-killed'), 'out');
    const store = new LocalCheckpointStore(out);
    const resumed = await killAndResume(
      () => run(out),
      async () => (await readLatestPointer(store, 'representation').catch(() => undefined))?.step,
    );
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.contain(`Resuming ${out}`);
    expect(await finalBits(store)).to.deep.equal(straightBits);
  });

  it('the same over the real nats-server and S3 server, and equal to the local run', async function () {
    const [nats, s3] = await Promise.all([sharedNats(), sharedS3()]);
    const bucket = `run-${Date.now()}`;
    const client = s3.client();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const env = {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const out = join(makeWorkDir('run-nats-s3'), 'out');
    const store = new S3CheckpointStore(client, bucket, 'runs/tiny');
    const resumed = await killAndResume(
      () => run(out, ['--nats', nats.url, '--s3', `s3://${bucket}/runs/tiny`], env),
      async () => (await readLatestPointer(store, 'representation').catch(() => undefined))?.step,
    );
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(await finalBits(store)).to.deep.equal(straightBits);
    // TensorBoard files reach the S3 run prefix too (written locally, copied after each stage).
    const boards = await store.list('tb');
    for (const stage of ['representation', 'classifier', 'evaluate'])
      expect(
        boards.some((name) => name.startsWith(`tb/${stage}/events.out.tfevents.`)),
        stage,
      ).to.equal(true);
  });

  it('a rank SIGKILLed: the other fails naming it, the run exits 1, the last checkpoint still verifies', async function () {
    const out = join(makeWorkDir('run-rank-killed'), 'out');
    const store = new LocalCheckpointStore(out);
    const started = run(out, [
      '--set',
      'schedule.representation.iterations=400',
      '--set',
      'schedule.representation.lr_steps=[300]',
    ]);
    await waitFor(
      'a checkpoint, then the rank processes',
      async () => ((await readLatestPointer(store, 'representation').catch(() => undefined))?.step ?? 0) >= 2,
      { timeoutMs: 600_000, intervalMs: 100 },
    );
    const ranks = childPids(started.child.pid!);
    expect(ranks).to.have.length(2);
    process.kill(ranks[1]!, 'SIGKILL');
    const finished = await started.done;
    expect(finished.code).to.equal(1);
    expect(finished.stderr).to.contain('Code: TRAINING_FAILED');
    const log = readFileSync(join(out, 'logs', 'worker.log'), 'utf8');
    expect(log).to.match(/\[rank 0\] bacl-worker: rank 0: .*lost peer rank 1 /);
    const latest = await readLatestPointer(store, 'representation');
    await readCheckpoint(store, 'representation', latest!.step, { manifestSha256: latest!.manifestSha256 });
  });

  it('an absurd learning rate fails with LossDiverged naming stage and step; the last checkpoint is kept', async function () {
    const out = join(makeWorkDir('run-diverged'), 'out');
    const { code, stderr } = await run(out, [
      '--set',
      'schedule.representation.lr=1e12',
      '--set',
      'schedule.representation.warmup_iters=0',
      '--set',
      'checkpoint.every_steps=1',
    ]).done;
    expect(code).to.equal(1);
    expect(stderr).to.contain('Code: TRAINING_FAILED');
    // The rank's own status is LossDiverged's (common/exit-codes.ts), which the operator does not retry.
    expect(stderr).to.match(/exited with status 5\b/);
    const log = readFileSync(join(out, 'logs', 'worker.log'), 'utf8');
    const match =
      /LossDiverged: stage representation, step (\d+): (loss\w*|weights: \S+) is (NaN|-?Infinity)/.exec(log);
    expect(match, log.slice(-2000)).to.not.equal(null);
    const step = Number(match![1]);
    const latest = await readLatestPointer(new LocalCheckpointStore(out), 'representation');
    expect(latest?.step).to.equal(step - 1);
  });
});
