// "Checkpoint now" on SIGTERM. Kubernetes stops a pod with SIGTERM and, terminationGracePeriodSeconds later,
// SIGKILL. watchTermination() turns the signal into an aborted `requested` signal: the trainer finishes the
// step in flight (a checkpoint taken mid-step would not be a state any uninterrupted run passes through),
// then calls checkpointBeforeExit(save), which runs one final checkpoint under a deadline and returns the exit
// status: ExitCode.interrupted (130, the table's status for SIGTERM and Ctrl-C) once it is saved, failure when
// the save failed. A second signal, or the deadline, aborts the save: the uncommitted checkpoint is simply not
// committed and latest.json keeps pointing at the previous one.
import { ExitCode, type ExitStatus } from '../../common/index.js';

export interface TerminationOptions {
  /** @default ['SIGTERM', 'SIGINT']: what Kubernetes and a terminal send */
  signals?: readonly NodeJS.Signals[];
  /**
   * How long the final checkpoint may take before it is aborted.
   * @default 25 000 ms: finalCheckpointMs(30), inside Kubernetes' default 30 s grace period
   */
  graceMs?: number;
}

/**
 * The final checkpoint's deadline inside a pod's grace period (SIGTERM to SIGKILL, `graceSeconds`): the grace
 * less a margin to exit cleanly (abort the upload, log, flush), 5 s or a sixth of a short grace. 30 s gives 25 s,
 * 120 s gives 115 s, 3 s gives 2.5 s. ADR 0041.
 */
export function finalCheckpointMs(graceSeconds: number): number {
  return graceSeconds * 1000 - Math.min(5_000, (graceSeconds * 1000) / 6);
}

export interface TerminationWatch {
  /** Aborted (reason: the signal's name) when a signal arrives; the trainer polls it between steps. */
  readonly requested: AbortSignal;
  /** Runs the final checkpoint with a signal that aborts on the deadline or a second signal. */
  checkpointBeforeExit(save: (signal: AbortSignal) => Promise<void>): Promise<ExitStatus>;
  /** Removes the signal handlers (the process then dies of the signal again). */
  dispose(): void;
}

export function watchTermination(options: TerminationOptions = {}): TerminationWatch {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const graceMs = options.graceMs ?? finalCheckpointMs(30);
  const requested = new AbortController();
  const saving = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (requested.signal.aborted) saving.abort(new Error(`second ${signal}: final checkpoint abandoned`));
    else requested.abort(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  const dispose = () => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  return {
    requested: requested.signal,
    async checkpointBeforeExit(save) {
      const deadline = setTimeout(
        () => saving.abort(new Error(`final checkpoint took longer than ${graceMs} ms`)),
        graceMs,
      );
      try {
        await save(saving.signal);
        return ExitCode.interrupted;
      } catch {
        return ExitCode.failure;
      } finally {
        clearTimeout(deadline);
      }
    },
    dispose,
  };
}
