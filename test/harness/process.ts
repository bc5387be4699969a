import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { keepWorkDir } from './workdir.js';

/** How to start one server binary and know it is ready. */
export interface StartProcessOptions {
  /** Short name for logs and errors, e.g. "kube-apiserver". */
  name: string;
  bin: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The server's own temp dir; its log goes to `<dir>/<name>.log`. */
  dir: string;
  /** Resolves true once the server answers; called every `pollMs` until it does. */
  ready: (signal: AbortSignal) => Promise<boolean>;
  readyTimeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
}

export class ServerStartError extends Error {
  override name = 'ServerStartError';
  constructor(
    readonly server: string,
    readonly logPath: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${server} did not start: ${reason}\n--- last lines of ${logPath} ---\n${tail(logPath, 30)}`,
      options,
    );
  }
}

/** A running server process, stopped by PID. */
export class ManagedProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitedNow = false;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly logPath: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitedNow = true;
        live.delete(this);
        resolve({ code, signal });
      }),
    );
    live.add(this);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  get running(): boolean {
    return !this.exitedNow;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    signalPid(this.pid, 'SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!gone) {
      signalPid(this.pid, 'SIGKILL');
      await this.exited;
    }
  }
}

/** Every server started by this test process, so an abrupt exit still kills them. */
const live = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const server of live) signalPid(server.pid, 'SIGKILL');
});

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Starts a binary with its output in a log file and waits until `ready` says yes. */
export async function startProcess(options: StartProcessOptions): Promise<ManagedProcess> {
  const logPath = join(options.dir, `${options.name}.log`);
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.bin, options.args, {
      cwd: options.dir,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const server = new ManagedProcess(options.name, child, logPath);

  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const signal = AbortSignal.any([
    AbortSignal.timeout(timeoutMs),
    ...(options.signal ? [options.signal] : []),
  ]);
  const exitedEarly = server.exited.then(
    ({ code, signal: sig }) => `exited early (code ${code}, signal ${sig})`,
  );
  const failed = Promise.race([
    exitedEarly,
    spawnError.then((error) => `could not spawn ${options.bin}: ${error.message}`),
  ]);

  try {
    for (;;) {
      const outcome = await Promise.race([options.ready(signal).catch(() => false), failed]);
      if (outcome === true) return server;
      if (typeof outcome === 'string') throw new ServerStartError(options.name, logPath, outcome);
      if (signal.aborted) {
        throw new ServerStartError(options.name, logPath, `not ready within ${timeoutMs} ms`, {
          cause: signal.reason,
        });
      }
      await sleep(options.pollMs ?? 100);
    }
  } catch (error) {
    keepWorkDir(options.dir); // its log explains the failure
    await server.stop(2_000);
    throw error;
  }
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
