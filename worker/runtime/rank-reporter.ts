// What a rank tells people while it trains (ADR 0026): rank 0 prints mmdet-shaped lines every `logInterval`
// steps (and the first), writes TensorBoard scalars every step, and hands progress and checkpoint reports to
// the publisher (throttled there). Every rank prints its stage start and end lines. Pure bookkeeping on top of
// the trainer's StageEvents; the sinks are passed in.
import type { JobStage } from '../../common/index.js';
import type { LvisMetrics } from '../../data/index.js';
import type { StepLosses } from '../model/detector-step.js';
import { EtaEstimator, lvisResultLines, trainLogLine, type LogPosition } from './log-format.js';
import type { ProgressPublisher } from './progress-publisher.js';
import { LOSS_TERMS } from './step-sync.js';
import type { TrainingBoard } from './tensorboard.js';
import type { StageEvent } from './train-stage.js';

export interface RankReporterOptions {
  rank: number;
  /** Whether the schedule counts epochs (`Epoch [e][i/n]` lines) or iterations (`Iter [i/n]`). */
  byEpoch: (stage: JobStage) => boolean;
  /** Steps between training lines (mmdet log_config.interval). @default 50 */
  logInterval?: number;
  log: (line: string) => void;
  publisher?: ProgressPublisher;
  /** Rank 0's TensorBoard writer of the stage (opened on its start event). */
  board?: (stage: JobStage) => TrainingBoard | undefined;
}

interface Interval {
  steps: number;
  seconds: number;
  dataSeconds: number;
}

export interface StageSummary {
  name: JobStage;
  /** Steps the stage has in all. */
  iterations: number;
  /** Steps and wall time this process trained (a resumed stage counts from its checkpoint). */
  steps: number;
  seconds: number;
  images: number;
  imagesPerSecond: number;
  /** Share of step time in the two all-reduces and in waiting for data. */
  commShare: number;
  dataShare: number;
}

export class RankReporter {
  private eta = new EtaEstimator(0);
  private interval: Interval = { steps: 0, seconds: 0, dataSeconds: 0 };
  private board: TrainingBoard | undefined;
  private totals = { steps: 0, seconds: 0, images: 0, comm: 0, data: 0 };
  private lastLoss: number | undefined;
  readonly summaries: StageSummary[] = [];

  constructor(private readonly options: RankReporterOptions) {}

  private get leader(): boolean {
    return this.options.rank === 0;
  }

  onEvent(event: StageEvent): void {
    if (event.kind === 'start') this.start(event);
    else if (event.kind === 'step') this.step(event);
    else if (this.leader) {
      const { checkpoint } = event;
      this.options.log(
        `Saved checkpoint ${checkpoint.uri} (stage ${checkpoint.stage}, step ${checkpoint.step})`,
      );
      if (checkpoint.uri.startsWith('s3://')) {
        this.options.publisher?.checkpoint({
          stage: event.stage,
          step: checkpoint.step,
          uri: checkpoint.uri,
          time: checkpoint.time,
        });
      }
    }
  }

  private start(event: Extract<StageEvent, { kind: 'start' }>): void {
    this.eta = new EtaEstimator(event.startStep);
    this.interval = { steps: 0, seconds: 0, dataSeconds: 0 };
    this.totals = { steps: 0, seconds: 0, images: 0, comm: 0, data: 0 };
    if (!this.leader) return;
    this.board = this.options.board?.(event.stage);
    const from = event.resumed
      ? `resumed from ${event.from} at step ${event.startStep}`
      : `from ${event.from}`;
    this.options.log(
      `Stage ${event.stage}: ${event.totalSteps} steps (${event.epochLength} per epoch), global batch ` +
        `${event.globalBatch}, lr x ${event.lrScale} (linear scaling rule), ${from}`,
    );
  }

  private step(event: Extract<StageEvent, { kind: 'step' }>): void {
    this.interval.steps += 1;
    this.interval.seconds += event.seconds;
    this.interval.dataSeconds += event.dataSeconds;
    this.totals.steps += 1;
    this.totals.seconds += event.seconds;
    this.totals.images += event.images;
    this.totals.comm += event.commSeconds;
    this.totals.data += event.dataSeconds;
    this.lastLoss = event.losses.total;
    const imagesPerSecond = event.seconds > 0 ? event.images / event.seconds : undefined;
    if (!this.leader) return;
    this.board?.step({
      step: event.step,
      lr: event.lr,
      losses: lossValues(event.losses),
      ...(imagesPerSecond === undefined ? {} : { imagesPerSecond }),
    });
    const interval = this.options.logInterval ?? 50;
    const last = event.step === event.totalSteps;
    const etaSeconds = this.eta.update(event.seconds, 1, event.step, event.totalSteps);
    if (event.step === 1 || event.step % interval === 0 || last) {
      const position: LogPosition = this.options.byEpoch(event.stage)
        ? { by: 'epoch', epoch: event.epoch, iter: event.epochStep, iters: event.epochLength }
        : { by: 'iter', iter: event.step, iters: event.totalSteps };
      const { steps, seconds, dataSeconds } = this.interval;
      this.options.log(
        trainLogLine({
          position,
          lr: event.lr,
          timing: { etaSeconds, time: seconds / steps, dataTime: dataSeconds / steps },
          values: lossValues(event.losses),
        }),
      );
      this.interval = { steps: 0, seconds: 0, dataSeconds: 0 };
    }
    const progress = {
      stage: event.stage,
      epoch: event.epoch,
      step: event.step,
      totalSteps: event.totalSteps,
      ...(imagesPerSecond === undefined ? {} : { imagesPerSecond }),
      loss: event.losses.total,
      etaSeconds,
    };
    if (last) this.options.publisher?.stageEnd(progress);
    else this.options.publisher?.step(progress);
  }

  /** The stage is over (finished or stopped): its summary line and figures. */
  async endStage(stage: JobStage, iterations: number): Promise<StageSummary> {
    const { steps, seconds, images, comm, data } = this.totals;
    const summary: StageSummary = {
      name: stage,
      iterations,
      steps,
      seconds,
      images,
      imagesPerSecond: seconds > 0 ? images / seconds : 0,
      commShare: seconds > 0 ? comm / seconds : 0,
      dataShare: seconds > 0 ? data / seconds : 0,
    };
    this.summaries.push(summary);
    if (this.leader)
      this.options.log(
        `Stage ${stage} done: ${steps} steps in ${seconds.toFixed(1)} s, ${summary.imagesPerSecond.toFixed(2)} ` +
          `images/s (all ranks), all-reduce ${(summary.commShare * 100).toFixed(1)}% and data ` +
          `${(summary.dataShare * 100).toFixed(1)}% of step time` +
          (this.lastLoss === undefined ? '' : `, last loss ${this.lastLoss.toFixed(4)}`),
      );
    await this.board?.close();
    this.board = undefined;
    return summary;
  }

  /**
   * The evaluate stage's progress, `done` of `total` val images inferred by the whole group, `seconds` into
   * the stage: rank 0 publishes it (step and totalSteps count images in the evaluate stage), the last one
   * (done = total) always.
   */
  evaluateProgress(progress: { done: number; total: number }, seconds: number): void {
    if (!this.leader) return;
    const { done, total } = progress;
    const imagesPerSecond = seconds > 0 && done > 0 ? done / seconds : undefined;
    const report = {
      stage: 'evaluate' as const,
      step: done,
      totalSteps: total,
      ...(imagesPerSecond === undefined
        ? {}
        : { imagesPerSecond, etaSeconds: (total - done) / imagesPerSecond }),
    };
    if (done >= total) this.options.publisher?.stageEnd(report);
    else this.options.publisher?.step(report);
  }

  /** Rank 0 prints the LVIS table (the evaluate stage's TensorBoard scalars are the caller's). */
  evaluation(metrics: LvisMetrics): void {
    if (!this.leader) return;
    for (const line of lvisResultLines(metrics)) this.options.log(line);
  }
}

function lossValues(losses: StepLosses): Array<[string, number]> {
  return LOSS_TERMS.map(([key, name]) => [name, losses[key]]);
}
