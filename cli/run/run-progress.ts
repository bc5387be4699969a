// What `baclctl run` shows while ranks train: rank 0's progress reports (worker/runtime/progress-publisher.ts,
// over the launcher's IPC channel) as one live line on a terminal, or a plain line per report otherwise (CI
// logs, pipes). It writes to stderr, so stdout carries only the result (the AP table or -o json's object).
// The bar and the durations are `baclctl wait`'s (cli/wait/progress-view.ts, cli/output/age.ts).
import type { RankReport } from '../../common/index.js';
import { humanDuration } from '../output/age.js';
import { progressBar } from '../wait/progress-view.js';

const BAR = 24;

/**
 * One report as text: `classifier  [######------]  120/300  loss 0.4120  3.1 img/s  ETA 58s`; the evaluate
 * stage counts images (`evaluate  [###---]  120/200 images  ...`, the whole group's, ADR 0029).
 */
export function progressText(report: RankReport, bar: boolean): string {
  if (report.kind === 'checkpoint') return `checkpoint ${report.uri} (${report.stage}, step ${report.step})`;
  const { stage, step, totalSteps } = report;
  const percent = totalSteps > 0 ? (100 * step) / totalSteps : 0;
  const parts = [
    stage.padEnd(14),
    bar ? progressBar(percent, BAR) : undefined,
    `${step}/${totalSteps}${stage === 'evaluate' ? ' images' : ''}`,
    report.loss === undefined ? undefined : `loss ${report.loss.toFixed(4)}`,
    report.imagesPerSecond === undefined ? undefined : `${report.imagesPerSecond.toFixed(1)} img/s`,
    report.etaSeconds === undefined ? undefined : `ETA ${humanDuration(report.etaSeconds * 1000)}`,
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
