// What `baclctl run` shows while ranks train: rank 0's progress reports (worker/runtime/progress-publisher.ts,
// over the launcher's IPC channel) as one live line on a terminal, or a plain line per report otherwise (CI
// logs, pipes). It writes to stderr, so stdout carries only the result (the AP table or -o json's object).
import type { RankReport } from '../../common/index.js';

const BAR = 24;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** One report as text: `classifier  [######------]  120/300  loss 0.4120  3.1 img/s  eta 0:00:58`. */
export function progressText(report: RankReport, bar: boolean): string {
  if (report.kind === 'checkpoint') return `checkpoint ${report.uri} (${report.stage}, step ${report.step})`;
  const { stage, step, totalSteps } = report;
  const fraction = totalSteps > 0 ? step / totalSteps : 0;
  const filled = Math.round(fraction * BAR);
  const parts = [
    stage.padEnd(14),
    bar ? `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]` : undefined,
    `${step}/${totalSteps}`,
    report.loss === undefined ? undefined : `loss ${report.loss.toFixed(4)}`,
    report.imagesPerSecond === undefined ? undefined : `${report.imagesPerSecond.toFixed(1)} img/s`,
    report.etaSeconds === undefined ? undefined : `eta ${clock(report.etaSeconds)}`,
  ];
  return parts.filter((part) => part !== undefined).join('  ');
}

export class RunProgress {
  private live = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  report(report: RankReport): void {
    if (this.tty && report.kind === 'progress') {
      this.write(`\r\u001b[2K${progressText(report, true)}`);
      this.live = true;
    } else this.line(progressText(report, false));
  }

  /** A line of its own (ends the live line first). */
  line(text: string): void {
    if (this.live) this.write('\n');
    this.live = false;
    this.write(`${text}\n`);
  }

  end(): void {
    if (this.live) this.write('\n');
    this.live = false;
  }
}
