// The pod's launcher, torchrun-like (ADR 0026): forks LOCAL_WORLD_SIZE rank processes, rank i with RANK =
// NODE_RANK * LOCAL_WORLD_SIZE + i, LOCAL_RANK = i and, on GPUs, CUDA_VISIBLE_DEVICES = the i-th device.
// - Output: each rank's stdout/stderr goes to the launcher's, in whole lines prefixed `[rank N] ` when several
//   ranks share the pod (as is, one rank).
// - Signals: forward() (and forwardProcessSignals for SIGTERM/SIGINT) sends the signal once to each running
//   rank, which checkpoints and exits (worker/checkpoint/terminate.ts). Each rank runs in its own process
//   group, so a terminal's Ctrl-C reaches it once, through the launcher, and never twice (a second signal
//   means "abandon the final checkpoint" to a rank).
// - Failure: when a rank fails (non-zero exit or death by a signal), the others get `failureGraceMs` to fail
//   on their own (the collective reports the lost peer with its typed error), then SIGTERM (unless a signal was
//   forwarded already), and `killGraceMs` later SIGKILL. The first failure also goes to `onRankFailure` (the
//   pod's launcher announces it to the group on NATS, death-announcer.ts, ADR 0042), unless a signal was
//   forwarded before it: ranks stopping on request are no news. The launcher's exit code is the first failure's: its
//   exit code, 128 + the signal's number, or 127 for a command that cannot start (as a shell says); 0 when
//   every rank exits 0.
// - The launcher exiting SIGKILLs the ranks still running; each rank also has an IPC channel to the launcher,
//   which closes if the launcher is killed outright (launcher-link.ts: watchLauncher), and carries rank 0's
//   progress reports when there is no NATS (onReport).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { RankReport } from '../../common/index.js';
import { isReportMessage } from './launcher-link.js';
import type { PodEnv } from './rank-env.js';
import { PrefixedLines } from './rank-lines.js';

export interface LaunchOptions {
  /** The rank program (bacl-worker's node and bin in production, a small script in tests). */
  command: string;
  args: readonly string[];
  /** What every rank inherits (the pod's environment); RANK, LOCAL_RANK and the sizes are set per rank. */
  env: NodeJS.ProcessEnv;
  pod: PodEnv;
  /**
   * Give rank i the i-th GPU in CUDA_VISIBLE_DEVICES: the i-th entry of the inherited list when there is one,
   * else `i`. @default false (CPU ranks keep the environment's value)
   */
  gpus?: boolean;
  /** Prefix each line with `[rank N] `. @default pod.localWorldSize > 1 (one rank's output is left as is) */
  prefixLines?: boolean;
  /** Where the ranks' output goes. */
  io: { stdout: (text: string) => void; stderr: (text: string) => void };
  /**
   * After the first failure, how long the other ranks may take to fail on their own before SIGTERM.
   * @default 30 000 ms: longer than the collective's 10 s peer timeout, so survivors report the lost peer
   */
  failureGraceMs?: number;
  /** After that SIGTERM, how long before SIGKILL. @default 30 000 ms (Kubernetes' default grace period) */
  killGraceMs?: number;
  /**
   * Told of the first failure (a rank's non-zero exit or death by a signal), unless a signal was forwarded to
   * the ranks before it; `done` waits for the promise it returns, which must settle within a bounded time.
   */
  onRankFailure?: (exit: RankExit) => Promise<unknown>;
  /** Receives the reports ranks send over IPC (launcher-link.ts: launcherSink), e.g. for a progress bar. */
  onReport?: (rank: number, report: RankReport) => void;
}

export interface RankExit {
  rank: number;
  /** The exit code, or null when a signal ended the rank. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LaunchResult {
  /** The first failure's status (code, or 128 + signal number); 0 when every rank succeeded. */
  exitCode: number;
  firstFailure?: RankExit;
  /** Every rank's exit, in rank order. */
  ranks: RankExit[];
}

export interface RankGroup {
  /** The global ranks, in local order. */
  readonly ranks: readonly number[];
  /** Sends `signal` once to every rank still running. */
  forward(signal: NodeJS.Signals): void;
  readonly done: Promise<LaunchResult>;
}

/** The exit status a shell reports for this exit. */
export function exitStatus(exit: Pick<RankExit, 'code' | 'signal'>): number {
  if (exit.signal !== null) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}

/** The environment rank `localRank` of the pod starts with. */
export function rankEnvironment(options: Pick<LaunchOptions, 'env' | 'pod' | 'gpus'>, localRank: number) {
  const { env, pod } = options;
  const child: NodeJS.ProcessEnv = {
    ...env,
    WORLD_SIZE: String(pod.worldSize),
    LOCAL_WORLD_SIZE: String(pod.localWorldSize),
    NODE_RANK: String(pod.nodeRank),
    RANK: String(pod.nodeRank * pod.localWorldSize + localRank),
    LOCAL_RANK: String(localRank),
  };
  if (options.gpus) {
    const devices = env.CUDA_VISIBLE_DEVICES ? env.CUDA_VISIBLE_DEVICES.split(',') : undefined;
    const device = devices ? devices[localRank] : String(localRank);
    if (device === undefined) {
      throw new LaunchError(
        `CUDA_VISIBLE_DEVICES=${env.CUDA_VISIBLE_DEVICES} lists ${devices?.length} devices for ` +
          `LOCAL_WORLD_SIZE=${pod.localWorldSize} ranks. Try this: request as many GPUs as ranks`,
      );
    }
    child.CUDA_VISIBLE_DEVICES = device;
  }
  return child;
}

/** The launch itself cannot start (no process was forked). */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}

/** Forks the pod's ranks; `done` resolves once every one has exited. */
export function launchRanks(options: LaunchOptions): RankGroup {
  const { pod, io } = options;
  const prefix = options.prefixLines ?? pod.localWorldSize > 1;
  const failureGraceMs = options.failureGraceMs ?? 30_000;
  const killGraceMs = options.killGraceMs ?? 30_000;
  const environments = Array.from({ length: pod.localWorldSize }, (_, i) => rankEnvironment(options, i));
  const ranks = environments.map((env) => Number(env.RANK));
  const running = new Map<number, ChildProcess>();
  const exits: RankExit[] = [];
  const timers: NodeJS.Timeout[] = [];
  let firstFailure: RankExit | undefined;
  let forwarded = false;
  let announced: Promise<unknown> = Promise.resolve();

  const signalAll = (signal: NodeJS.Signals) => {
    for (const child of running.values()) signalGroup(child, signal);
  };
  const forward = (signal: NodeJS.Signals) => {
    forwarded = true;
    signalAll(signal);
  };
  const killAll = () => signalAll('SIGKILL');
  process.on('exit', killAll);

  const done = new Promise<LaunchResult>((resolve) => {
    environments.forEach((env, localRank) => {
      const rank = ranks[localRank] ?? localRank;
      const child = spawn(options.command, options.args, {
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        detached: true,
      });
      running.set(rank, child);
      const label = prefix ? `[rank ${rank}] ` : '';
      const outputs = [
        pipeOutput(child.stdout, label, io.stdout),
        pipeOutput(child.stderr, label, io.stderr),
      ];
      child.on('message', (message) => {
        if (isReportMessage(message)) options.onReport?.(rank, message.report);
      });
      let spawnError: Error | undefined;
      child.on('error', (error) => {
        spawnError = error;
      });
      child.on('close', (code, signal) => {
        for (const flush of outputs) flush();
        running.delete(rank);
        if (spawnError) io.stderr(`${label}cannot start ${options.command}: ${spawnError.message}\n`);
        const exit: RankExit = spawnError ? { rank, code: 127, signal: null } : { rank, code, signal };
        exits.push(exit);
        if (exitStatus(exit) !== 0 && firstFailure === undefined) {
          firstFailure = exit;
          if (!forwarded && options.onRankFailure)
            announced = options.onRankFailure(exit).catch(() => undefined);
          timers.push(
            setTimeout(() => {
              // Ranks that were already forwarded a signal are saving a checkpoint: a second one would abandon it.
              if (!forwarded) signalAll('SIGTERM');
              timers.push(setTimeout(killAll, killGraceMs));
            }, failureGraceMs),
          );
        }
        if (running.size > 0) return;
        for (const timer of timers) clearTimeout(timer);
        process.removeListener('exit', killAll);
        exits.sort((a, b) => a.rank - b.rank);
        const result: LaunchResult = {
          exitCode: firstFailure ? exitStatus(firstFailure) : 0,
          ...(firstFailure ? { firstFailure } : {}),
          ranks: exits,
        };
        void announced.then(() => resolve(result));
      });
    });
  });
  return { ranks, forward, done };
}

/** Sends `signal` to the child's process group (it leads one: detached), so its own children get it too. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Forwards a child stream to `write`, line-prefixed when `label` is set; returns the end-of-stream flush. */
function pipeOutput(stream: NodeJS.ReadableStream | null, label: string, write: (text: string) => void) {
  if (stream === null) return () => undefined;
  if (label === '') {
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => write(decoder.write(chunk)));
    return () => {
      const rest = decoder.end();
      if (rest !== '') write(rest);
    };
  }
  const lines = new PrefixedLines(label, write);
  stream.on('data', (chunk: Buffer) => lines.push(chunk));
  return () => lines.end();
}

/**
 * Forwards SIGTERM and SIGINT (or `signals`) received by this process to the group, until it is done. While
 * installed, the signals no longer end this process: the ranks' exits do.
 */
export function forwardProcessSignals(
  group: RankGroup,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): void {
  const onSignal = (signal: NodeJS.Signals) => group.forward(signal);
  for (const signal of signals) process.on(signal, onSignal);
  void group.done.finally(() => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  });
}
