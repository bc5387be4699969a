// Pictures of an evaluation (issue #14 point 4): two-panel PNGs of predictions beside ground truth, the plot of
// per-category AP against training frequency, per-category.json, and where the val images' pixels come from.
export {
  apVsFrequencySvg,
  groupMeans,
  plotRunColours,
  type ApPlotOptions,
  type PlotCategory,
  type PlotRun,
} from './ap-plot.js';
export { boxOverlaySvg, type OverlayBox, type OverlayStyle } from './box-overlay.js';
export {
  groundTruthToDraw,
  predictionsToDraw,
  type BoxToDraw,
  type LabelledBox,
  type PredictionSelection,
  type ScoredBox,
} from './boxes-to-draw.js';
export { categoryColour, hslToHex, parseHexColour } from './colours.js';
export {
  renderDetectionPanels,
  type DetectionPanels,
  type DetectionPanelsInput,
  type PanelLayoutOptions,
} from './detection-panels.js';
export { VisualizeError } from './errors.js';
export {
  imageLocationKind,
  readImages,
  type ImageLocationKind,
  type ReadImagesOptions,
} from './image-source.js';
export {
  formatPerCategoryFile,
  parsePerCategoryFile,
  perCategoryFileName,
  type PerCategoryEntry,
  type PerCategoryFile,
} from './per-category-file.js';
export { escapeXml, svgNumber } from './svg-text.js';
