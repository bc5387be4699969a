import type { BaclJob } from '../../common/index.js';
import { humanDuration } from '../output/age.js';

// How `wait` (and `submit --wait`) show a job while they wait: on a terminal one line redrawn in place with
// a bar; otherwise (CI logs, pipes) a plain line each time what it says changes, so logs stay readable.

/** Where the view draws; process.stderr in the CLI, a recorder in tests. */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
  /** Terminal width; the bar shrinks to fit. */
  columns?: number;
}

/** `Running classifier epoch 3 step 420/1000 42% 312.5 img/s loss 0.8123 ETA 12m`, fields as known. */
export function describeProgress(job: BaclJob): string {
  const status = job.status;
  const state = status?.state ?? 'Pending';
  const progress = status?.progress;
  if (!progress) {
    const workers = status?.workers?.summary ? ` workers ${status.workers.summary}` : '';
    return `${state}${status?.stage ? ` ${status.stage}` : ''}${workers}`;
  }
  return [
    state,
    progress.stage,
    progress.epoch === undefined ? undefined : `epoch ${progress.epoch}`,
    `${progress.stage === 'evaluate' ? 'images' : 'step'} ${progress.step}/${progress.totalSteps}`,
    `${progress.percent}%`,
    progress.imagesPerSecond === undefined ? undefined : `${progress.imagesPerSecond.toFixed(1)} img/s`,
    progress.loss === undefined ? undefined : `loss ${progress.loss.toFixed(4)}`,
    progress.etaSeconds === undefined ? undefined : `ETA ${humanDuration(progress.etaSeconds * 1000)}`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

/**
 * The terminal line: the same facts, shorter (`e3` for epoch 3, step without the word) and the ETA before
 * the throughput, so an 80-column terminal shows everything but the bar, and a narrower one cuts the least
 * useful end.
 */
export function compactProgress(job: BaclJob): string {
  const progress = job.status?.progress;
  if (!progress) return describeProgress(job);
  return [
    job.status?.state ?? 'Pending',
    progress.stage,
    progress.epoch === undefined ? undefined : `e${progress.epoch}`,
    `${progress.step}/${progress.totalSteps}${progress.stage === 'evaluate' ? ' images' : ''}`,
    `${progress.percent}%`,
    progress.etaSeconds === undefined ? undefined : `ETA ${humanDuration(progress.etaSeconds * 1000)}`,
    progress.loss === undefined ? undefined : `loss ${progress.loss.toFixed(4)}`,
    progress.imagesPerSecond === undefined ? undefined : `${progress.imagesPerSecond.toFixed(1)} img/s`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
}

/** `[#########-----------]`: percent of `width` cells filled. */
export function progressBar(percent: number, width: number): string {
  const filled = Math.round((Math.min(Math.max(percent, 0), 100) / 100) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export class ProgressView {
  private last = '';
  private drawn = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly name: string,
  ) {}

  update(job: BaclJob): void {
    const text = describeProgress(job);
    if (text === this.last) return;
    this.last = text;
    if (!this.sink.isTTY) {
      this.sink.write(`${this.name}: ${text}\n`);
      return;
    }
    const line = compactProgress(job);
    const percent = job.status?.progress?.percent;
    // A pseudo-terminal nobody sized reports 0 columns: read that as the classic 80.
    const columns = this.sink.columns !== undefined && this.sink.columns >= 20 ? this.sink.columns : 80;
    // The words matter more than the bar: it gets the room they leave (up to 30 cells), or is left out.
    const room = columns - 1 - `${this.name}  ${line}`.length - 3;
    const bar = percent !== undefined && room >= 10 ? `${progressBar(percent, Math.min(room, 30))} ` : '';
    // \r + erase line: redraw in place; the line is cut to the width so it never wraps (a wrapped line
    // cannot be erased with \r).
    this.sink.write(`\r\x1b[2K${`${this.name} ${bar}${line}`.slice(0, columns - 1)}`);
    this.drawn = true;
  }

  /** Ends the in-place line so what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}
