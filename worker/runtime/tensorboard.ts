// Rank 0's TensorBoard scalars (ADR 0026), named as mmcv's TensorboardLoggerHook names them so dashboards made
// for mmdet runs work: `train/<loss term>`, `learning_rate`, `momentum`, plus `train/images_per_second`, and
// after evaluation `val/bbox_<metric>`; the step is the optimizer step of the stage (mmcv: iteration + 1).
// Each stage writes its own run directory, `<tb>/<stage>/`, so the stages' curves (each counting steps from 1)
// do not overlap. The files are written locally (worker/events); copying them to an S3 run prefix is the
// caller's.
import { join } from 'node:path';
import type { JobStage } from '../../common/index.js';
import { LVIS_METRIC_KEYS, type LvisMetrics } from '../../data/index.js';
import { openEventWriter, type EventWriter, type EventWriterOptions } from '../events/index.js';

export interface StepScalars {
  /** Optimizer step of the stage, from 1. */
  step: number;
  lr: number;
  momentum?: number;
  /** Loss terms in order, `loss` (the total) included. */
  losses: ReadonlyArray<readonly [string, number]>;
  /** Images per second of the whole group. */
  imagesPerSecond?: number;
}

export class TrainingBoard {
  constructor(private readonly writer: EventWriter) {}

  /** Opens `<tbDir>/<stage>/` for the backend in use. */
  static open(tbDir: string, stage: JobStage, options: EventWriterOptions): TrainingBoard {
    return new TrainingBoard(openEventWriter(join(tbDir, stage), options));
  }

  step(scalars: StepScalars): void {
    const { step } = scalars;
    for (const [term, value] of scalars.losses) this.writer.scalar(`train/${term}`, value, step);
    this.writer.scalar('learning_rate', scalars.lr, step);
    if (scalars.momentum !== undefined) this.writer.scalar('momentum', scalars.momentum, step);
    if (scalars.imagesPerSecond !== undefined)
      this.writer.scalar('train/images_per_second', scalars.imagesPerSecond, step);
  }

  /** The evaluation's AP metrics (mmdet logs the bbox AP keys), at `step`. */
  evaluation(metrics: LvisMetrics, step: number): void {
    for (const key of LVIS_METRIC_KEYS) {
      if (key.startsWith('AP')) this.writer.scalar(`val/bbox_${key}`, metrics[key], step);
    }
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
