// The rank's side of the IPC channel the launcher opens to each rank it forks (launcher.ts): rank 0 of a run
// without NATS sends its progress reports to the launcher (`baclctl run`'s progress bar), and every rank learns
// when its launcher is gone, even killed with SIGKILL (the channel closes), instead of training on as an orphan
// that would race a restarted run for the same checkpoints.
import type { RankReport } from '../../common/index.js';
import type { ProgressSink } from './progress-sink.js';

/** What a rank sends the launcher: `{type: 'bacl.report', report}`. */
export interface ReportMessage {
  type: 'bacl.report';
  report: RankReport;
}

export function isReportMessage(message: unknown): message is ReportMessage {
  return (message as Partial<ReportMessage> | null)?.type === 'bacl.report';
}

/** Reports to the launcher over IPC; undefined when this process has no launcher channel. */
export function launcherSink(): ProgressSink | undefined {
  if (process.send === undefined || !process.connected) return undefined;
  return {
    send(report) {
      if (process.connected) process.send?.({ type: 'bacl.report', report } satisfies ReportMessage);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * Calls `onGone` once when the launcher's end of the channel closes (it exited or was killed); returns the
 * function that stops watching. Does nothing without a channel. The channel does not keep this process alive.
 */
export function watchLauncher(onGone: () => void): () => void {
  if (process.send === undefined) return () => undefined;
  process.once('disconnect', onGone);
  process.channel?.unref();
  return () => {
    process.removeListener('disconnect', onGone);
  };
}
