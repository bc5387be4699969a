// The whole detector state as one checkpoint through worker/model/weights: every parameter and BN statistic
// under its state-dict name, plus the FCBL LTI and FHM statistics under the reference's buffer names
// (`roi_head.bbox_head.loss_cls.cm_numerator`, ...). Loading checks every name, dtype and shape before it
// assigns anything, so a failed load leaves the detector as it was.
import type { Detector } from './detector.js';
import {
  assignTargets,
  fcblSnapshotFromArrays,
  fcblStateArrays,
  fhmSnapshotFromArrays,
  fhmStateArrays,
  loadWeights,
  readTargets,
  saveWeights,
  type NamedArray,
  type WeightStorage,
} from './weights/index.js';

const FCBL_NAMES = ['roi_head.bbox_head.loss_cls.cm_numerator', 'roi_head.bbox_head.loss_cls.num_gt'];
const FHM_NAMES = [
  'roi_head.bbox_head.feature_prototype',
  'roi_head.bbox_head.feature_variance',
  'roi_head.bbox_head.feature_used',
];

/** Parameters, BN statistics and the loss state, as plain arrays (what a checkpoint holds). */
export async function detectorArrays(detector: Detector): Promise<NamedArray[]> {
  const arrays = await readTargets(detector.weightTargets());
  if (detector.fcbl !== undefined) arrays.push(...fcblStateArrays(await detector.fcbl.snapshot()));
  if (detector.fhm !== undefined) arrays.push(...fhmStateArrays(await detector.fhm.snapshot()));
  return arrays;
}

export async function saveDetector(detector: Detector, storage: WeightStorage, name: string): Promise<void> {
  await saveWeights(storage, name, await detectorArrays(detector));
}

export interface LoadDetectorOptions {
  /**
   * 'model' loads parameters and BN statistics only and leaves the FCBL/FHM state at zero: stage 2 starting
   * from stage 1's weights (spec 1.4: those buffers are not in the stage-1 checkpoint). 'all' also restores
   * the loss state (resuming a stage). @default 'all'
   */
  include?: 'all' | 'model';
}

export async function loadDetector(
  detector: Detector,
  storage: WeightStorage,
  name: string,
  options: LoadDetectorOptions = {},
): Promise<void> {
  const arrays = await loadWeights(storage, name);
  const source = `${storage.description}/${name}`;
  const lossNames = new Set([...FCBL_NAMES, ...FHM_NAMES]);
  const modelArrays = arrays.filter((array) => !lossNames.has(array.name));
  // Parse the loss state before assigning anything, so a bad checkpoint changes nothing.
  const restoreLossState = options.include !== 'model';
  const fcbl =
    restoreLossState && detector.fcbl !== undefined ? fcblSnapshotFromArrays(arrays, source) : undefined;
  const fhm =
    restoreLossState && detector.fhm !== undefined ? fhmSnapshotFromArrays(arrays, source) : undefined;
  assignTargets(detector.weightTargets(), modelArrays, { source });
  if (fcbl !== undefined) detector.fcbl?.restore(fcbl);
  if (fhm !== undefined) detector.fhm?.restore(fhm);
}
