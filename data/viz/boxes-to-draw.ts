// Which boxes an image's two panels show, and their tags: the predictions at or above the score threshold,
// best first and at most `maxBoxes` of them (drawn lowest score first, so the best is on top), tagged
// "<category name> <score>"; every ground-truth box, tagged with its category name. Pure.
import { categoryColour } from './colours.js';

export interface ScoredBox {
  category_id: number;
  bbox: readonly [number, number, number, number];
  score: number;
}

export interface LabelledBox {
  category_id: number;
  bbox: readonly [number, number, number, number];
}

/** A box in original-image pixels with its colour and tag, ready for a panel. */
export interface BoxToDraw {
  bbox: readonly [number, number, number, number];
  colour: string;
  label: string;
}

export interface PredictionSelection {
  /** Smallest score drawn. @default 0.3 (mmdet's show_result default; lower scores clutter the picture) */
  scoreThreshold?: number;
  /** Most predictions drawn per image. @default 100 */
  maxBoxes?: number;
}

function nameOf(names: ReadonlyMap<number, string>, id: number): string {
  return names.get(id) ?? `category ${id}`;
}

/** The predictions to draw, in drawing order (ascending score; equal scores keep input order reversed). */
export function predictionsToDraw(
  detections: readonly ScoredBox[],
  names: ReadonlyMap<number, string>,
  selection: PredictionSelection = {},
): BoxToDraw[] {
  const threshold = selection.scoreThreshold ?? 0.3;
  const maxBoxes = selection.maxBoxes ?? 100;
  const kept = detections
    .map((detection, index) => ({ detection, index }))
    .filter(({ detection }) => detection.score >= threshold)
    .sort((a, b) => b.detection.score - a.detection.score || a.index - b.index)
    .slice(0, maxBoxes)
    .reverse();
  return kept.map(({ detection }) => ({
    bbox: detection.bbox,
    colour: categoryColour(detection.category_id),
    label: `${nameOf(names, detection.category_id)} ${detection.score.toFixed(2)}`,
  }));
}

/** Every ground-truth box of the image, in annotation order. */
export function groundTruthToDraw(
  annotations: readonly LabelledBox[],
  names: ReadonlyMap<number, string>,
): BoxToDraw[] {
  return annotations.map((annotation) => ({
    bbox: annotation.bbox,
    colour: categoryColour(annotation.category_id),
    label: nameOf(names, annotation.category_id),
  }));
}
