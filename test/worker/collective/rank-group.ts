// Starts a group of rank processes (rank-main.ts) for a test and collects what each printed. Every process is
// killed by PID when the group is stopped, whatever state it is in.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RankPlan } from './rank-main.js';

const RANK_MAIN = fileURLToPath(new URL('./rank-main.ts', import.meta.url));

export interface RankOutcome {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  events: Record<string, unknown>[];
  stderr: string;
}

export interface RankProcess {
  child: ChildProcess;
  events: Record<string, unknown>[];
  /** Resolves with the first event of this type. */
  waitFor(event: string): Promise<Record<string, unknown>>;
  exited: Promise<RankOutcome>;
}

export function startRanks(options: {
  natsUrl?: string;
  job: string;
  attempt: number;
  worldSize: number;
  plan: RankPlan;
  /** Run over the local transport with sockets in this directory instead of NATS. */
  localDir?: string;
  /** Extra environment per rank. */
  env?: (rank: number) => NodeJS.ProcessEnv;
}): RankProcess[] {
  return Array.from({ length: options.worldSize }, (_, rank) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RANK_MAIN], {
      env: {
        ...inheritedEnv(),
        NATS_URL: options.natsUrl ?? '',
        BACL_JOB: options.job,
        BACL_ATTEMPT: String(options.attempt),
        RANK: String(rank),
        WORLD_SIZE: String(options.worldSize),
        RANK_PLAN: JSON.stringify(options.plan),
        ...(options.localDir ? { BACL_LOCAL_DIR: options.localDir } : {}),
        ...options.env?.(rank),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const events: Record<string, unknown>[] = [];
    const waiters: { event: string; resolve: (e: Record<string, unknown>) => void }[] = [];
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      let newline: number;
      while ((newline = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        try {
          const event = JSON.parse(line) as Record<string, unknown>;
          events.push(event);
          for (const waiter of waiters.filter((w) => w.event === event.event)) waiter.resolve(event);
        } catch {
          stderr += `${line}\n`;
        }
      }
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<RankOutcome>((resolve) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ rank, code, signal, events, stderr });
      }),
    );
    const waitFor = (event: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const seen = events.find((e) => e.event === event);
        if (seen) return resolve(seen);
        waiters.push({ event, resolve });
        void exited.then((outcome) =>
          reject(new Error(`rank ${rank} exited before "${event}": ${outcome.stderr}`)),
        );
      });
    return { child, events, waitFor, exited };
  });
}

const live = new Set<ChildProcess>();

/** This process's environment without any rank variables (a test must not leak its own into a group). */
function inheritedEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'RANK',
    'WORLD_SIZE',
    'LOCAL_RANK',
    'LOCAL_WORLD_SIZE',
    'NODE_RANK',
    'NATS_URL',
    'NATS_CREDS',
  ])
    delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('BACL_')) delete env[name];
  return env;
}

/** Kills every rank process still running (SIGCONT first, so a stopped one can die). */
export function killRanks(): void {
  for (const child of live) {
    if (child.pid === undefined) continue;
    try {
      process.kill(child.pid, 'SIGCONT');
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
