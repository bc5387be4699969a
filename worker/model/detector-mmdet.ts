// The detector's weights from an mmdetection state dict (weights/mmdet-state-dict.ts): every parameter and BN
// statistic, by mmdet's name. The one layout the names alone do not tell is the box head's first shared FC,
// which mmdet feeds the RoI features flattened as [C, 7, 7] and this detector as [7, 7, C] (box-head.ts).
import type { Detector } from './detector.js';
import {
  importMmdetStateDict,
  layoutForRank,
  type ImportReport,
  type SafetensorsFile,
  type TorchLayout,
} from './weights/index.js';

/** Each weight target's torch layout in an mmdet state dict of this detector. */
export function mmdetLayouts(
  detector: Detector,
): (target: { name: string; variable: { rank: number } }) => TorchLayout {
  const { name, roiSize, inChannels } = detector.head.options;
  const flattened = `${name}.shared_fcs.0.weight`;
  return (target) =>
    target.name === flattened
      ? { kind: 'flattened-linear', height: roiSize, width: roiSize, channels: inChannels }
      : layoutForRank(target.variable.rank);
}

/** Assigns the whole detector from `file`; throws WeightsMismatchError (nothing assigned) when it does not fit. */
export function loadMmdetDetector(detector: Detector, file: SafetensorsFile): ImportReport {
  return importMmdetStateDict(detector.weightTargets(), file, mmdetLayouts(detector));
}
