// Public surface of inference: scores, multiclass NMS, per-image post-processing, batch detection and the LVIS
// results rows.
export { classScores } from './class-scores.js';
export { detect, type DetectOptions } from './detect.js';
export { InferenceOptionError, InferenceShapeError } from './errors.js';
export { toLvisDetections } from './lvis-results.js';
export {
  multiclassNms,
  TEST_POSTPROCESS,
  type Detections,
  type MulticlassNmsOptions,
} from './multiclass-nms.js';
export { postProcessImage, scaleFactorOf, type PostProcessOptions, type TestImage } from './post-process.js';
export { topKClassNms } from './top-k-class-nms.js';
