// Training and evaluation log lines shaped exactly like mmdetection 2.x's (mmcv 1.x TextLoggerHook, LVIS
// evaluation), so the tools people already use on mmdet logs read ours (ADR 0026). Pure. A training line:
//   Epoch [1][50/1000]\tlr: 2.000e-02, eta: 0:10:12, time: 0.512, data_time: 0.012, memory: 3925, loss_rpn_cls:
//   0.1234, ..., loss: 0.7906
// (`Iter [50/90000]\t...` when the schedule counts iterations). lr is '{:.3e}', time and data_time '{:.3f}',
// memory (MB) as is, every other value '{:.4f}'. eta is str(timedelta(seconds=int(eta))), estimated as mmcv does:
//   eta = (sum of interval mean step time x iterations it covers) / (iterations since start) x (iterations left)
// Evaluation: lvis-api's print_results() lines, then the validation line
//   Epoch(val) [12][5000]\tbbox_AP: 0.2500, ..., bbox_APf: 0.3010, bbox_mAP_copypaste: AP:0.250 AP50:0.412 ...
// (values rounded to 3 digits, then printed with 4, as mmdet's LVIS evaluate and the logger do).
import {
  IOU_THRESHOLDS,
  LVIS_METRIC_KEYS,
  type LvisMetrics,
  MAX_DETECTIONS_PER_IMAGE,
} from '../../data/index.js';
import { pyExp, pyFixed, pyTimedelta } from './python-format.js';

/** Where a line is in the schedule. */
export type LogPosition =
  /** `Epoch [epoch][iter/iters]`: iter counts from 1 within the epoch, iters is the epoch's length. */
  | { by: 'epoch'; epoch: number; iter: number; iters: number }
  /** `Iter [iter/iters]`: iter counts from 1 over the stage, iters is the stage's length. */
  | { by: 'iter'; iter: number; iters: number };

export interface TrainLogEntry {
  position: LogPosition;
  /** Learning rate of the first parameter group. */
  lr: number;
  /** Present once steps are timed; mmcv prints eta, time, data_time and memory only then. */
  timing?: {
    etaSeconds: number;
    /** Mean seconds per iteration over the logging interval. */
    time: number;
    /** Mean seconds per iteration spent waiting for data. */
    dataTime?: number;
    /** Peak memory in MB (an integer; mmcv prints it on CUDA only). */
    memory?: number;
  };
  /** The loss terms and other values, in order (mmdet: loss_rpn_cls, loss_rpn_bbox, loss_cls, acc, loss_bbox, loss). */
  values: ReadonlyArray<readonly [string, number | string]>;
}

/** One training line, without a trailing newline. */
export function trainLogLine(entry: TrainLogEntry): string {
  const { position, timing } = entry;
  let line =
    position.by === 'epoch'
      ? `Epoch [${position.epoch}][${position.iter}/${position.iters}]\t`
      : `Iter [${position.iter}/${position.iters}]\t`;
  line += `lr: ${pyExp(entry.lr, 3)}, `;
  if (timing !== undefined) {
    line += `eta: ${pyTimedelta(timing.etaSeconds)}, time: ${pyFixed(timing.time, 3)}, `;
    if (timing.dataTime !== undefined) line += `data_time: ${pyFixed(timing.dataTime, 3)}, `;
    if (timing.memory !== undefined) line += `memory: ${timing.memory}, `;
  }
  return line + entry.values.map(([name, value]) => `${name}: ${logValue(value)}`).join(', ');
}

function logValue(value: number | string): string {
  return typeof value === 'number' ? pyFixed(value, 4) : value;
}

/** mmcv's ETA: the mean step time over everything logged since the (possibly resumed) start. */
export class EtaEstimator {
  private seconds = 0;

  /** @param startIteration iterations already done when this process started (a resumed stage's step). */
  constructor(private readonly startIteration: number) {}

  /**
   * Records an interval's mean step time over `iterations` steps, and returns the seconds left once `done` of
   * `total` iterations are finished.
   */
  update(meanSeconds: number, iterations: number, done: number, total: number): number {
    this.seconds += meanSeconds * iterations;
    const since = done - this.startIteration;
    return since <= 0 ? 0 : (this.seconds / since) * Math.max(0, total - done);
  }
}

/** lvis-api's LVISEval.print_results() lines (no newlines): one per metric, in its order. */
export function lvisResultLines(metrics: LvisMetrics, maxDets: number = MAX_DETECTIONS_PER_IMAGE): string[] {
  const first = IOU_THRESHOLDS[0] ?? 0.5;
  const last = IOU_THRESHOLDS.at(-1) ?? 0.95;
  return LVIS_METRIC_KEYS.map((key) => {
    const [title, kind] = key.includes('AP') ? ['Average Precision', '(AP)'] : ['Average Recall', '(AR)'];
    const third = key[2] ?? '';
    const iou = /\d/.test(third)
      ? pyFixed(Number(key.slice(2)) / 100, 2)
      : `${pyFixed(first, 2)}:${pyFixed(last, 2)}`;
    const categories = 'rcf'.includes(third) && third !== '' ? third : 'all';
    const area = 'sml'.includes(third) && third !== '' ? third : 'all';
    return (
      ` ${title.padEnd(18)} ${kind} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | ` +
      `maxDets=${String(maxDets).padStart(3)} catIds=${categories.padStart(3)}] = ${pyFixed(metrics[key], 3)}`
    );
  });
}

/** mmdet's validation line for LVIS bbox results: `Epoch(val) [epoch][images]\t...` or `Iter(val) [images]\t...`. */
export function evalLogLine(
  metrics: LvisMetrics,
  position: { by: 'epoch'; epoch: number; images: number } | { by: 'iter'; images: number },
): string {
  const head =
    position.by === 'epoch'
      ? `Epoch(val) [${position.epoch}][${position.images}]\t`
      : `Iter(val) [${position.images}]\t`;
  const ap = LVIS_METRIC_KEYS.filter((key) => key.startsWith('AP'));
  const values = ap.map((key) => `bbox_${key}: ${pyFixed(Number(pyFixed(metrics[key], 3)), 4)}`);
  const copypaste = ap.map((key) => `${key}:${pyFixed(metrics[key], 3)}`).join(' ');
  return `${head}${values.join(', ')}, bbox_mAP_copypaste: ${copypaste}`;
}
