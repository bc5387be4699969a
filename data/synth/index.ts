// Synthetic long-tailed LVIS-format datasets: plan (pure), render (pixels, JPEG) and write (atomic).
export {
  maxSynthCategories,
  synthCategoryLook,
  synthColours,
  synthShapes,
  synthTextures,
  type SynthCategoryLook,
  type SynthTexture,
} from './catalogue.js';
export { ensureSynthDataset, type EnsuredSynthDataset } from './ensure.js';
export {
  SynthDatasetMismatchError,
  SynthError,
  SynthOptionsError,
  SynthOutputExistsError,
  type SynthErrorKind,
} from './errors.js';
export { synthGroundTruth, synthImagePath } from './lvis-json.js';
export type { PlannedObject } from './layout.js';
export {
  resolveSynthOptions,
  synthDefaults,
  synthOptionsFromConfig,
  type ResolvedSynthOptions,
  type SynthOptions,
} from './options.js';
export { planSynthDataset, type PlannedImage, type SynthPlan, type SynthSplit } from './plan.js';
export { polygonSpans, spansExtent, type Polygon, type Span } from './raster.js';
export { synthRecipe, synthRecipeFile, type SynthRecipe } from './recipe.js';
export { renderJpeg, renderPixels } from './render.js';
export { writeSynthDataset, type SynthDatasetSummary, type WriteSynthOptions } from './write.js';
