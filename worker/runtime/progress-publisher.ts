// Rank 0's progress reports (ADR 0026), throttled: a `progress` report at most every `intervalMs` while a stage
// runs (the first step's at once), always one at the stage's end, and every `checkpoint` report as it happens
// (after its latest.json is written). The operator folds at most one report per job per progress interval
// (5 s, operator/controller/controller.ts), so publishing more often only costs messages. Non-finite numbers
// (a diverged loss) are left out of a report rather than refused: the divergence has its own error.
import type { CheckpointMessage, ProgressMessage } from '../../common/index.js';
import type { ProgressSink } from './progress-sink.js';

export type StageProgress = Omit<ProgressMessage, 'kind'>;

export interface ProgressPublisherOptions {
  /** Least time between two `progress` reports of a running stage. @default 5000 ms (the operator's interval) */
  intervalMs?: number;
  /** Clock in ms (tests fix it). @default Date.now */
  now?: () => number;
}

export class ProgressPublisher {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly sink: ProgressSink,
    options: ProgressPublisherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** After each step: publishes when `intervalMs` has passed since the last report; says whether it did. */
  step(progress: StageProgress): boolean {
    const now = this.now();
    if (now - this.last < this.intervalMs) return false;
    this.publish(progress, now);
    return true;
  }

  /** The stage finished (or stopped to checkpoint and exit): always publishes. */
  stageEnd(progress: StageProgress): void {
    this.publish(progress, this.now());
  }

  /** A checkpoint is complete: always publishes; does not delay the next progress report. */
  checkpoint(report: Omit<CheckpointMessage, 'kind'>): void {
    this.sink.send({ kind: 'checkpoint', ...report });
  }

  close(): Promise<void> {
    return this.sink.close();
  }

  private publish(progress: StageProgress, now: number): void {
    const finite = Object.entries(progress).filter(
      ([, value]) => typeof value !== 'number' || Number.isFinite(value),
    );
    this.sink.send({ kind: 'progress', ...Object.fromEntries<unknown>(finite) } as ProgressMessage);
    this.last = now;
  }
}
