// LVIS formats shared by the CLI and the worker: schemas and types, the streaming loader, category statistics.
export {
  formatJsonPath,
  LvisFormatError,
  LvisJsonSyntaxError,
  LvisReadError,
  LvisReferenceError,
  type LvisLocation,
} from './errors.js';
export {
  lvisAnnotationSchema,
  lvisBoxSchema,
  lvisCategorySchema,
  lvisDetectionSchema,
  lvisFrequencySchema,
  lvisImageSchema,
  lvisImageSchemas,
  lvisV05ImageSchema,
  lvisV1ImageSchema,
  type LvisAnnotation,
  type LvisBox,
  type LvisCategory,
  type LvisDetection,
  type LvisFrequency,
  type LvisGroundTruth,
  type LvisImage,
  type LvisVersion,
} from './schema.js';
export {
  loadLvisGroundTruth,
  loadLvisResults,
  lvisFileChunks,
  parseLvisGroundTruth,
  parseLvisResults,
  readLvisGroundTruth,
  readLvisResults,
  type LvisLoadOptions,
} from './loader.js';
export { lvisFileSize, readLvisFileFrom } from './file-range.js';
export { checkLvisReferences } from './references.js';
export { validateLvisValue } from './validate.js';
export { scanJson, type JsonScanVisitor } from './json-scan.js';
export {
  computeLvisCategoryStatistics,
  lvisFrequencyForImageCount,
  type LvisCategoryStat,
  type LvisCategoryStatistics,
} from './category-stats.js';
