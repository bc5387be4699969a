import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { RankReport } from '../../../common/index.js';
import {
  exitStatus,
  LaunchError,
  type LaunchOptions,
  launchRanks,
  PrefixedLines,
  rankEnvironment,
  type RankExit,
  type RankGroup,
} from '../../../worker/internal.js';
import { makeWorkDir, waitFor } from '../../harness/index.js';
import { RANK_SCRIPT } from './rank-script.js';

/** Launches RANK_SCRIPT in `mode` as node 1 of a 2-pod group, collecting everything the ranks print. */
function launch(mode: string[], options: Partial<LaunchOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const group = launchRanks({
    command: process.execPath,
    args: ['-e', RANK_SCRIPT, ...mode],
    env: { PATH: process.env.PATH },
    pod: { worldSize: 6, localWorldSize: 3, nodeRank: 1 },
    io: { stdout: (text) => out.push(text), stderr: (text) => err.push(text) },
    failureGraceMs: 3000,
    killGraceMs: 3000,
    ...options,
  });
  const lines = () => out.join('').split('\n');
  return { group, out, err, lines };
}

/** Waits until every rank of `group` has printed `ready` (its signal handlers are installed). */
async function allReady(group: RankGroup, lines: () => string[]): Promise<void> {
  await waitFor('every rank to start', () =>
    Promise.resolve(
      lines().filter((line) => line.endsWith('] ready')).length === group.ranks.length || undefined,
    ),
  );
}

describe('worker/runtime/launcher: one process per local rank', function () {
  this.timeout(60_000);

  it('gives each rank its environment, and pins GPUs from the inherited list when asked', function () {
    const options = {
      env: { CUDA_VISIBLE_DEVICES: '4,5', X: 'y' },
      pod: { worldSize: 4, localWorldSize: 2, nodeRank: 1 },
    };
    expect(rankEnvironment(options, 1)).to.deep.equal({
      CUDA_VISIBLE_DEVICES: '4,5',
      X: 'y',
      WORLD_SIZE: '4',
      LOCAL_WORLD_SIZE: '2',
      NODE_RANK: '1',
      RANK: '3',
      LOCAL_RANK: '1',
    });
    expect(rankEnvironment({ ...options, gpus: true }, 1).CUDA_VISIBLE_DEVICES).to.equal('5');
    expect(rankEnvironment({ ...options, env: {}, gpus: true }, 1).CUDA_VISIBLE_DEVICES).to.equal('1');
    const tooFew = { ...options, env: { CUDA_VISIBLE_DEVICES: '0' }, gpus: true };
    expect(() => rankEnvironment(tooFew, 1)).to.throw(LaunchError, /lists 1 devices for LOCAL_WORLD_SIZE=2/);
  });

  it('splits output into whole lines with the rank prefix (pure)', function () {
    const written: string[] = [];
    const lines = new PrefixedLines('[rank 2] ', (text) => written.push(text));
    lines.push(Buffer.from('par'));
    lines.push(Buffer.from('tial\nnext\nhalf'));
    const euro = Buffer.from('€\n');
    lines.push(euro.subarray(0, 1));
    lines.push(euro.subarray(1));
    lines.push(Buffer.from('tail'));
    lines.end();
    expect(written).to.deep.equal([
      '[rank 2] partial\n[rank 2] next\n',
      '[rank 2] half€\n',
      '[rank 2] tail\n',
    ]);
  });

  it('prefixes every line with the global rank when ranks share the pod, and exits 0 when all do', async function () {
    const { group, out, err } = launch(['echo'], { gpus: true });
    expect(group.ranks).to.deep.equal([3, 4, 5]);
    const result = await group.done;
    expect(result.exitCode).to.equal(0);
    expect(result.ranks).to.deep.equal([3, 4, 5].map((rank) => ({ rank, code: 0, signal: null })));
    const stdout = out.join('').split('\n');
    for (const [local, rank] of [3, 4, 5].entries()) {
      expect(stdout.filter((line) => line.startsWith(`[rank ${rank}] `))).to.deep.equal([
        `[rank ${rank}] ready`,
        `[rank ${rank}] rank ${rank} local ${local} of 6 gpu ${local}`,
        `[rank ${rank}] two`,
        `[rank ${rank}] lines`,
        `[rank ${rank}] no newline`,
      ]);
    }
    expect(err.join('').split('\n').sort()).to.deep.equal([
      '',
      ...[3, 4, 5].map((r) => `[rank ${r}] to stderr`),
    ]);
  });

  it("leaves one rank's output as it is", async function () {
    const { group, out } = launch(['echo'], { pod: { worldSize: 1, localWorldSize: 1, nodeRank: 0 } });
    expect((await group.done).exitCode).to.equal(0);
    expect(out.join('')).to.equal('ready\nrank 0 local 0 of 1 gpu -\ntwo\nlines\nno newline');
  });

  it('forwards a signal once to every rank and exits with their status', async function () {
    const { group, lines } = launch(['wait']);
    await allReady(group, lines);
    group.forward('SIGINT');
    const result = await group.done;
    expect(result.exitCode).to.equal(130);
    expect(result.firstFailure?.code).to.equal(130);
    for (const rank of group.ranks) {
      expect(lines().filter((line) => line.startsWith(`[rank ${rank}] got`))).to.deep.equal([
        `[rank ${rank}] got SIGINT`,
      ]);
    }
  });

  it("a failing rank's exit code wins; the others get SIGTERM after the grace period", async function () {
    const { group, lines } = launch(['fail', '4', '3']);
    const result = await group.done;
    expect(result.exitCode).to.equal(3);
    expect(result.firstFailure).to.deep.equal({ rank: 4, code: 3, signal: null });
    expect(result.ranks.map((exit) => exit.code)).to.deep.equal([130, 3, 130]);
    expect(lines()).to.include.members(['[rank 3] got SIGTERM', '[rank 5] got SIGTERM']);
  });

  it('a rank killed by a signal gives 128 + its number; ranks ignoring SIGTERM are killed', async function () {
    const { group, lines } = launch(['stubborn', '5', '7'], { failureGraceMs: 1500, killGraceMs: 500 });
    await allReady(group, lines);
    const result = await group.done;
    expect(result.firstFailure).to.deep.equal({ rank: 5, code: 7, signal: null });
    expect(result.exitCode).to.equal(7);
    expect(result.ranks.slice(0, 2)).to.deep.equal([
      { rank: 3, code: null, signal: 'SIGKILL' },
      { rank: 4, code: null, signal: 'SIGKILL' },
    ]);
    expect(exitStatus({ code: null, signal: 'SIGKILL' })).to.equal(137);

    const killed = launch(['kill', '3'], { failureGraceMs: 200 });
    const killedResult = await killed.group.done;
    expect(killedResult.firstFailure).to.deep.equal({ rank: 3, code: null, signal: 'SIGKILL' });
    expect(killedResult.exitCode).to.equal(137);
  });

  it('after a forwarded signal, a failure does not signal the ranks again (they are checkpointing)', async function () {
    const { group, lines } = launch(['hold', '4', '5'], { failureGraceMs: 200, killGraceMs: 1500 });
    await allReady(group, lines);
    group.forward('SIGTERM');
    const result = await group.done;
    expect(result.firstFailure).to.deep.equal({ rank: 4, code: 5, signal: null });
    expect(result.ranks.map((exit) => exit.signal)).to.deep.equal(['SIGKILL', null, 'SIGKILL']);
    for (const rank of [3, 5]) {
      expect(lines().filter((line) => line.startsWith(`[rank ${rank}] got`))).to.deep.equal([
        `[rank ${rank}] got SIGTERM`,
      ]);
    }
  });

  it('tells onRankFailure of the first failure once, and done waits for it; not a clean exit, not after a forwarded signal', async function () {
    const told: RankExit[] = [];
    let settled = false;
    const onRankFailure = async (exit: RankExit) => {
      told.push(exit);
      await new Promise((resolve) => setTimeout(resolve, 300));
      settled = true;
    };
    const killed = launch(['kill', '4'], { failureGraceMs: 200, killGraceMs: 500, onRankFailure });
    const result = await killed.group.done;
    expect(told).to.deep.equal([{ rank: 4, code: null, signal: 'SIGKILL' }]);
    expect(settled, 'done resolved before the announcement settled').to.equal(true);
    expect(result.exitCode).to.equal(137);

    told.length = 0;
    const clean = launch(['echo'], { onRankFailure });
    expect((await clean.group.done).exitCode).to.equal(0);
    const held = launch(['hold', '4', '5'], { failureGraceMs: 200, killGraceMs: 500, onRankFailure });
    await allReady(held.group, held.lines);
    held.group.forward('SIGTERM');
    expect((await held.group.done).firstFailure).to.deep.equal({ rank: 4, code: 5, signal: null });
    expect(told, 'told of a clean exit or of ranks stopping on request').to.deep.equal([]);

    const failing = async (): Promise<void> => Promise.reject(new Error('NATS down'));
    const unlucky = launch(['fail', '3', '2'], { failureGraceMs: 200, onRankFailure: failing });
    expect((await unlucky.group.done).exitCode, 'a failed announcement changes nothing').to.equal(2);
  });

  it('reports a command that cannot start as status 127', async function () {
    const { group, err } = launch([], { command: '/nonexistent/bacl-worker' });
    const result = await group.done;
    expect(result.exitCode).to.equal(127);
    expect(err.join('')).to.match(/\[rank 3\] cannot start \/nonexistent\/bacl-worker: .*ENOENT/);
  });

  it('as a process, forwards the SIGTERM it receives to its ranks and exits with their status', async function () {
    const main = fileURLToPath(new URL('./launch-main.ts', import.meta.url));
    const launcher = spawn(process.execPath, ['--import', 'tsx', main, 'wait'], {
      env: { PATH: process.env.PATH, WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.on('close', (code) => resolve(code)));
    await waitFor('both ranks to start', () =>
      Promise.resolve(
        output.split('\n').filter((line) => line.endsWith('] ready')).length === 2 || undefined,
      ),
    );
    launcher.kill('SIGTERM');
    expect(await exited).to.equal(130);
    expect(
      output
        .split('\n')
        .filter((line) => line.includes(' got '))
        .sort(),
    ).to.deep.equal(['[rank 0] got SIGTERM', '[rank 1] got SIGTERM']);
  });

  it('carries reports from ranks to onReport over the IPC channel', async function () {
    const reports: Array<[number, RankReport]> = [];
    const linkRank = fileURLToPath(new URL('./link-rank.ts', import.meta.url));
    const { group } = launch([], {
      args: ['--import', 'tsx', linkRank, 'report'],
      pod: { worldSize: 2, localWorldSize: 2, nodeRank: 0 },
      onReport: (rank, report) => reports.push([rank, report]),
    });
    expect((await group.done).exitCode).to.equal(0);
    expect(reports.sort((a, b) => a[0] - b[0])).to.deep.equal(
      [0, 1].map((rank) => [rank, { kind: 'progress', stage: 'representation', step: rank, totalSteps: 10 }]),
    );
  });

  it('ranks learn that their launcher was killed outright (SIGKILL) and stop', async function () {
    const marks = makeWorkDir('launcher-gone');
    const main = fileURLToPath(new URL('./launch-main.ts', import.meta.url));
    const launcher = spawn(process.execPath, ['--import', 'tsx', main, '--link', 'orphan'], {
      env: { PATH: process.env.PATH, WORLD_SIZE: '2', LOCAL_WORLD_SIZE: '2', MARK_DIR: marks },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'both ranks to start',
      () => output.split('\n').filter((line) => line.endsWith('] ready')).length === 2,
    );
    launcher.kill('SIGKILL');
    await waitFor('both ranks to notice', () =>
      [0, 1].every((rank) => existsSync(join(marks, `gone-${rank}`))),
    );
  });
});
