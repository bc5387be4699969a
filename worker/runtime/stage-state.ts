// What a training checkpoint holds, taken from and put back into the live objects (issue #13 point 3;
// docs/adr/0023-checkpoints.md has the layout):
//   shared (rank 0): every parameter and BN statistic (readTargets), FCBL's LTI (the same on every rank: its
//                    increments are summed across ranks), and the SGD momentum buffers;
//   rank-<r>:        the rank's model RNG state (mulberry32, one word), where its data stream stands, and its
//                    FHM statistics (per rank, spec 3.2: never summed).
// Restoring all of it and replaying the data stream from the cursor makes a resumed run's next step the same
// bits as the uninterrupted run's.
import type { Mulberry32 } from '../../common/index.js';
import type { RankState, SharedState } from '../checkpoint/state.js';
import type { DataCursor } from '../data/index.js';
import type { Detector } from '../model/detector.js';
import type { SgdMomentum } from '../model/detector-optimizer.js';
import {
  assignTargets,
  fcblSnapshotFromArrays,
  fcblStateArrays,
  fhmSnapshotFromArrays,
  fhmStateArrays,
  readTargets,
  type NamedArray,
} from '../model/weights/index.js';
import { RankStateError } from './errors.js';

/** Where a stage stands: optimizer steps done, and the next batch of the data stream. */
export interface StageCursor {
  step: number;
  data: DataCursor;
}

const FCBL_NAMES = new Set(
  fcblStateArrays({ numClasses: 0, confusion: new Float32Array(), counts: new Float32Array() }).map(
    (a) => a.name,
  ),
);

/** Parameters, BN statistics and FCBL's LTI: what every rank holds the same. */
export async function modelArrays(detector: Detector): Promise<NamedArray[]> {
  const arrays = await readTargets(detector.weightTargets());
  if (detector.fcbl !== undefined) arrays.push(...fcblStateArrays(await detector.fcbl.snapshot()));
  return arrays;
}

export async function captureShared(detector: Detector, optimizer: SgdMomentum): Promise<SharedState> {
  return { weights: await modelArrays(detector), optimizer: await optimizer.state() };
}

export async function captureRank(
  detector: Detector,
  rng: Mulberry32,
  cursor: StageCursor,
): Promise<RankState> {
  return {
    rng: [rng.state],
    cursor: { step: cursor.step, epoch: cursor.data.epoch, epochStep: cursor.data.step },
    fhm: detector.fhm === undefined ? [] : fhmStateArrays(await detector.fhm.snapshot()),
  };
}

/**
 * Model weights (and, with `lossState`, FCBL's LTI) from `weights`; nothing changes unless every name and
 * shape fits. Stage 2 starting from stage 1 passes lossState false (its LTI starts at zero, spec 1.4).
 */
export function restoreModel(
  detector: Detector,
  weights: readonly NamedArray[],
  source: string,
  lossState: boolean,
): void {
  const model = weights.filter((array) => !FCBL_NAMES.has(array.name));
  const fcbl = lossState && detector.fcbl !== undefined ? fcblSnapshotFromArrays(weights, source) : undefined;
  assignTargets(detector.weightTargets(), model, { source });
  if (fcbl !== undefined) detector.fcbl?.restore(fcbl);
}

export function restoreShared(
  detector: Detector,
  optimizer: SgdMomentum,
  state: SharedState,
  source: string,
): void {
  restoreModel(detector, state.weights, `${source}/shared/weights`, true);
  optimizer.restore(state.optimizer, `${source}/shared/optimizer`);
}

/** The rank's RNG and FHM state back; returns the stage cursor to continue from. */
export function restoreRank(
  detector: Detector,
  rng: Mulberry32,
  state: RankState,
  source: string,
): StageCursor {
  const cursor = state.cursor as { step?: unknown; epoch?: unknown; epochStep?: unknown } | null;
  const whole = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  if (
    cursor === null ||
    typeof cursor !== 'object' ||
    !whole(cursor.step) ||
    !whole(cursor.epoch) ||
    !whole(cursor.epochStep) ||
    state.rng.length !== 1
  ) {
    throw new RankStateError(
      `${source}/state.json does not hold a training cursor {step, epoch, epochStep} and one RNG word. ` +
        'Try this: resume from another checkpoint, or start the stage over (--fresh)',
    );
  }
  if (detector.fhm !== undefined) detector.fhm.restore(fhmSnapshotFromArrays(state.fhm, `${source}/fhm`));
  rng.state = state.rng[0]!;
  return { step: cursor.step, data: { epoch: cursor.epoch, step: cursor.epochStep } };
}
