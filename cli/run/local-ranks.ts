// N rank processes of this build on this machine (worker/ launchRanks, the launcher bacl-worker uses in a pod),
// what `baclctl run` and `baclctl eval --weights` share: the ranks talk over the machine's own sockets (a
// private directory, removed after) or the NATS of the environment, their output goes to a log file, rank 0's
// progress to a RunProgress, and Ctrl-C (the command's abort signal) is forwarded once to every rank.
// The failing rank's last words (bacl-worker prints `bacl-worker: rank N: <why>` before exiting) are kept, so
// a command can say why without sending the user to the log.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { launchRanks, workerEntryCommand, type LaunchResult } from '../../worker/index.js';
import type { RunProgress } from './run-progress.js';

export interface LocalRanksOptions {
  workers: number;
  /** What every rank inherits (the rank environment but RANK, LOCAL_RANK, sizes and BACL_SOCKET_DIR). */
  env: NodeJS.ProcessEnv;
  /** Where the ranks' stdout and stderr are appended. */
  logFile: string;
  progress: RunProgress;
  signal: AbortSignal;
}

export interface LocalRanksResult extends LaunchResult {
  /** The failing rank's own message (its `bacl-worker: rank N:` lines), when it printed one. */
  reason?: string;
}

/** A job name NATS subjects and socket paths accept, from the config's name or path. */
function localJobName(config: string): string {
  const base = basename(config).replace(/\.ya?ml$/, '');
  return `local/${base.replace(/[^A-Za-z0-9_-]/g, '-') || 'run'}`;
}

/** Rank variables of this process's environment that belong to another run, not to the one launched here. */
const FOREIGN = [
  'RANK',
  'LOCAL_RANK',
  'NATS_URL',
  'NATS_CREDS',
  'BACL_CHECKPOINT_URI',
  'BACL_RESUME',
  'BACL_WEIGHTS',
  'BACL_EVAL_GT',
];

/** What the ranks of a local run of `config` inherit: this environment, less FOREIGN, plus `vars`. */
export function localRankEnv(config: string, vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of FOREIGN) delete env[name];
  return {
    ...env,
    BACL_JOB: localJobName(config),
    // Core NATS keeps nothing, but a rerun must never read a killed run's chunks: a new attempt each time.
    BACL_ATTEMPT: String(Math.floor(Date.now() / 1000)),
    ...vars,
  };
}

/** How much of the ranks' stderr is kept for `reason` (the end of it). */
const STDERR_TAIL_CHARS = 16_384;

/** The failure message rank `rank` printed in `stderr` (bacl-worker's main), or undefined. */
export function rankFailureReason(stderr: string, rank: number): string | undefined {
  const marker = new RegExp(`^(?:\\[rank \\d+\\] )?bacl-worker: rank ${rank}: (.*)$`);
  const lines = stderr.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = marker.exec(lines[i] ?? '');
    if (match === null) continue;
    // A multi-line message continues on lines without another rank's marker (one rank: no prefix at all).
    const rest = lines.slice(i + 1).filter((line) => line !== '' && !/bacl-worker: rank \d+:/.test(line));
    const own = rest.filter((line) => !line.startsWith('[rank ') || line.startsWith(`[rank ${rank}] `));
    return [match[1] ?? '', ...own.map((line) => line.replace(/^\[rank \d+\] /, ''))].join('\n').trim();
  }
  return undefined;
}

export async function runLocalRanks(options: LocalRanksOptions): Promise<LocalRanksResult> {
  const { workers, progress, signal } = options;
  const socketDir = await mkdtemp(join(tmpdir(), 'bacl-run-'));
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let stderr = '';
  const entry = workerEntryCommand();
  try {
    const group = launchRanks({
      command: entry.command,
      args: entry.args,
      env: { ...options.env, BACL_SOCKET_DIR: socketDir },
      pod: { worldSize: workers, localWorldSize: workers, nodeRank: 0 },
      io: {
        stdout: (text) => log.write(text),
        stderr: (text) => {
          log.write(text);
          stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
        },
      },
      onReport: (_, report) => progress.report(report),
    });
    const onAbort = () => group.forward('SIGINT');
    signal.addEventListener('abort', onAbort, { once: true });
    const result = await group.done.finally(() => signal.removeEventListener('abort', onAbort));
    progress.end();
    await new Promise<void>((done) => log.end(done));
    const reason =
      result.firstFailure === undefined ? undefined : rankFailureReason(stderr, result.firstFailure.rank);
    return { ...result, ...(reason === undefined ? {} : { reason }) };
  } finally {
    log.end();
    await rm(socketDir, { recursive: true, force: true });
  }
}
