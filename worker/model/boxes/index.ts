// Public surface of the box primitives: what the RPN, the RoI head and inference use.
export {
  anchorsPerLocation,
  baseAnchors,
  concatLevels,
  gridAnchors,
  multiLevelAnchors,
  RPN_ANCHOR_DEFAULTS,
  type AnchorOptions,
  type FeatureSize,
} from './anchors.js';
export {
  decodeDeltas,
  encodeDeltaRows,
  encodeDeltas,
  ROI_CODER,
  RPN_CODER,
  type DeltaCoderOptions,
  type ImageShape,
} from './delta-coder.js';
export { BoxOptionError, BoxShapeError, boxCount } from './errors.js';
export { boxAreas, iouAt, pairwiseIou } from './iou.js';
export {
  assignMaxIou,
  ROI_ASSIGNER,
  RPN_ASSIGNER,
  type Assignment,
  type MaxIouAssignerOptions,
} from './max-iou-assigner.js';
export { batchedNms, descendingOrder, nms, nmsIou, type NmsOptions } from './nms.js';
export {
  gatherBoxes,
  ROI_SAMPLER,
  RPN_SAMPLER,
  sampleRandom,
  type RandomSamplerOptions,
  type Sample,
} from './random-sampler.js';
