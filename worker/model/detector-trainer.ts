// A single-process training loop for one stage: the schedule's lr per iteration (warmup + steps, spec 1.3),
// SGD with momentum and weight decay, a batch per iteration from the caller, and cancellation between steps.
// The data-parallel runtime uses computeGradients/finishStep instead; this loop is what `baclctl run` on one
// core and the tests need.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import {
  learningRateAt,
  type StageSchedule,
  type TrainingStageName,
  type UniformRng,
} from '../../common/index.js';
import type { Detector } from './detector.js';
import { SgdMomentum } from './detector-optimizer.js';
import { trainStep, type DetectorBatch, type StepLosses } from './detector-step.js';

export interface TrainStageOptions {
  stage: TrainingStageName;
  schedule: StageSchedule;
  /** Iterations per epoch, to turn an epoch schedule into iterations. @default 1 */
  epochLength?: number;
  /** The batch of iteration `i`; the loop disposes its images tensor after the step. */
  batchAt: (iteration: number) => DetectorBatch | Promise<DetectorBatch>;
  rng: UniformRng;
  signal?: AbortSignal;
  /** Called after every step with the losses and the lr used. */
  onStep?: (iteration: number, losses: StepLosses, lr: number) => void;
  /** Stop early once this returns true (e.g. a loss target reached). */
  stopWhen?: (iteration: number, losses: StepLosses) => boolean;
}

export interface TrainStageResult {
  iterations: number;
  losses: StepLosses[];
}

/** Runs one stage over `schedule.iterations` (or epochs × epochLength) steps; rejects with the abort reason. */
export async function trainStage(detector: Detector, options: TrainStageOptions): Promise<TrainStageResult> {
  const { stage, schedule, rng, signal } = options;
  const epochLength = options.epochLength ?? 1;
  const total = schedule.iterations ?? (schedule.epochs ?? 0) * epochLength;
  const variables = detector.prepareStage(stage);
  const optimizer = new SgdMomentum({ momentum: schedule.momentum, weightDecay: schedule.weight_decay });
  const history: StepLosses[] = [];
  try {
    for (let iteration = 0; iteration < total; iteration++) {
      signal?.throwIfAborted();
      const batch = await options.batchAt(iteration);
      const lr = learningRateAt(schedule, iteration, epochLength);
      let losses: StepLosses;
      try {
        losses = trainStep(detector, stage, variables, optimizer, batch, rng, lr);
      } finally {
        tf.dispose(batch.images);
      }
      history.push(losses);
      options.onStep?.(iteration, losses, lr);
      if (options.stopWhen?.(iteration, losses) === true) break;
      // Lets an abort (or a heartbeat) in between steps; one step is the unit of cancellation.
      await yieldToEventLoop();
    }
    return { iterations: history.length, losses: history };
  } finally {
    optimizer.dispose();
  }
}
