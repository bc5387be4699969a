// The training data pipeline (issue #13 point 1): a rank's share of the shards as aspect-grouped, augmented
// batches (spec 1.3 stage 1, 1.4 stage 2 and baseline, 5 test), every draw seeded from (seed, epoch, rank,
// position), and the pure steps it is made of. Other parts import it only through this file.
export { aspectGroup, labelMap, trainsOn, usableAnnotations, type UsableAnnotations } from './annotations.js';
export { collateBatch } from './collate.js';
export { copyPaste, type CopyPasteOptions } from './copy-paste.js';
export { DataOptionError, DataSampleError, PipelineError, SegmentationError } from './errors.js';
export {
  boxesFromMasks,
  flipAnnotated,
  nonEmptyBoxes,
  padAnnotated,
  resizeAnnotated,
  resizeBoxes,
  selectInstances,
  type AnnotatedImage,
} from './geometry.js';
export {
  compactMask,
  expandMask,
  flipInstanceMask,
  instanceMaskArea,
  instanceMaskBox,
  paintMask,
  resizeInstanceMask,
  subtractMask,
  type InstanceMask,
} from './instance-mask.js';
export { AspectGrouper, epochSteps, trainingGroupSizes } from './group-batches.js';
export { trainBatches, type DataCursor, type TrainBatch, type TrainLoaderOptions } from './loader.js';
export {
  decodeRleString,
  maskArea,
  maskBox,
  polygonRunLengths,
  runLengthsToMask,
  segmentationMask,
} from './masks.js';
export {
  filterOptions,
  testPipeline,
  trainPipeline,
  type FilterOptions,
  type RepresentationPipeline,
  type StandardPipeline,
  type TrainPipeline,
} from './pipeline-options.js';
export { prefetch } from './prefetch.js';
export { resizeBilinear, resizeMaskNearest, type RgbImage, type Window } from './resize.js';
export { annotate, representationLoad, standardTransform } from './train-transforms.js';
