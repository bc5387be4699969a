// What ranks exchange every step (issue #13 point 2), as two all-reduces:
//
// 1. The step report, fp32 (exact for the counts): the five losses, a stop flag, the images trained, and
//    (stage 2) FCBL's increments ΔM and Δn. Summed, the losses / n are the group's mean losses; a NaN or
//    infinity on any rank makes the sum non-finite on every rank, so all ranks stop at the same step
//    (LossDiverged); a SIGTERM on any rank makes every rank checkpoint at the same step; and the increments
//    are the cross-rank sums spec 2.2 applies to the LTI.
// 2. The gradients of the trainable variables, flattened in the stage's variable order into one vector,
//    over the config's wire (fp32 or bf16), then scaled by 1/n: the mean over ranks, as torch DDP averages.
//    A variable a rank produced no gradient for contributes zeros. tfjs returns every gradient at once
//    (tf.variableGrads has no per-layer hook), so nothing can start while backward runs; the collective
//    pipelines the vector's chunks instead (ADR 0027).
import * as tf from '@tensorflow/tfjs';
import type { StepLosses } from '../model/detector-step.js';
import {
  fcblIncrementsFromArrays,
  fcblIncrementsToArrays,
  type FcblIncrements,
} from '../model/losses/index.js';

/** mmdet's log names of the step losses, in the report's order. */
export const LOSS_TERMS = [
  ['rpnCls', 'loss_rpn_cls'],
  ['rpnBbox', 'loss_rpn_bbox'],
  ['roiCls', 'loss_cls'],
  ['roiBbox', 'loss_bbox'],
  ['total', 'loss'],
] as const satisfies ReadonlyArray<readonly [keyof StepLosses, string]>;

const STOP = LOSS_TERMS.length;
const IMAGES = STOP + 1;
const HEADER = IMAGES + 1;

export interface StepReport {
  losses: StepLosses;
  stop: boolean;
  images: number;
  increments?: FcblIncrements;
}

/** The report as a vector to sum; `numClasses` > 0 reserves room for increments (stage 2). */
export async function packReport(report: StepReport, numClasses: number): Promise<Float32Array> {
  const vector = new Float32Array(HEADER + (numClasses > 0 ? numClasses * numClasses + numClasses : 0));
  LOSS_TERMS.forEach(([key], i) => (vector[i] = report.losses[key]));
  vector[STOP] = report.stop ? 1 : 0;
  vector[IMAGES] = report.images;
  if (numClasses > 0 && report.increments !== undefined) {
    const { confusion, counts } = await fcblIncrementsToArrays(report.increments);
    vector.set(confusion, HEADER);
    vector.set(counts, HEADER + confusion.length);
  }
  return vector;
}

export interface GroupReport {
  /** Mean over ranks of each loss. */
  losses: StepLosses;
  /** Some rank was asked to stop. */
  stop: boolean;
  /** Images trained by the whole group this step. */
  images: number;
  /** The first non-finite summed loss, as [mmdet name, value]. */
  diverged?: readonly [string, number];
  /** Summed increments (stage 2); the caller disposes them. */
  increments?: FcblIncrements;
}

export function unpackReport(summed: Float32Array, worldSize: number, numClasses: number): GroupReport {
  const losses = {} as StepLosses;
  let diverged: readonly [string, number] | undefined;
  LOSS_TERMS.forEach(([key, name], i) => {
    const sum = summed[i]!;
    losses[key] = sum / worldSize;
    if (diverged === undefined && !Number.isFinite(sum)) diverged = [name, sum];
  });
  const report: GroupReport = {
    losses,
    stop: summed[STOP]! > 0,
    images: summed[IMAGES]!,
    ...(diverged === undefined ? {} : { diverged }),
  };
  if (numClasses > 0) {
    const confusionLength = numClasses * numClasses;
    report.increments = fcblIncrementsFromArrays(numClasses, {
      confusion: summed.slice(HEADER, HEADER + confusionLength),
      counts: summed.slice(HEADER + confusionLength, HEADER + confusionLength + numClasses),
    });
  }
  return report;
}

/** The stage's trainable variables laid end to end: names, shapes and offsets in one flat vector. */
export class GradientLayout {
  readonly names: readonly string[];
  readonly length: number;
  private readonly shapes: readonly number[][];
  private readonly offsets: readonly number[];

  constructor(variables: readonly tf.Variable[]) {
    this.names = variables.map((variable) => variable.name);
    this.shapes = variables.map((variable) => [...variable.shape]);
    const offsets: number[] = [];
    let length = 0;
    for (const variable of variables) {
      offsets.push(length);
      length += variable.size;
    }
    this.offsets = offsets;
    this.length = length;
  }

  /** The gradients as one vector (zeros for a variable with none). */
  async pack(grads: tf.NamedTensorMap): Promise<Float32Array> {
    const vector = new Float32Array(this.length);
    await Promise.all(
      this.names.map(async (name, i) => {
        const grad = grads[name];
        if (grad !== undefined) vector.set(await grad.data<'float32'>(), this.offsets[i]);
      }),
    );
    return vector;
  }

  /** Tensors of `vector` × `scale` (rounded to fp32, as a tfjs mul would), one per variable; caller disposes. */
  unpack(vector: Float32Array, scale: number): tf.NamedTensorMap {
    if (scale !== 1) {
      const factor = Math.fround(scale);
      for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! * factor;
    }
    const grads: tf.NamedTensorMap = {};
    this.names.forEach((name, i) => {
      const offset = this.offsets[i]!;
      const shape = this.shapes[i]!;
      const size = shape.reduce((a, b) => a * b, 1);
      grads[name] = tf.tensor(vector.subarray(offset, offset + size), shape, 'float32');
    });
    return grads;
  }
}
