// lvis-api's LVISResults + LVISEval._prepare: the per-image cap, the area filter, and the federated rule that
// decides which detections are evaluated at all (spec lvis-eval.md §2.2-2.3). Output: per category, the
// (image, category) cells that have ground truth or detections, in image-id order.
import { LvisReferenceError, type LvisFrequency, type LvisGroundTruth } from '../../common/index.js';
import { toDetectionColumns, type DetectionColumns, type DetectionInput } from './detections.js';
import { MAX_DETECTIONS_PER_IMAGE } from './params.js';

/** The kept ground truth (area in (0, inf), on an evaluated image) as columns. */
export interface GroundTruthColumns {
  id: Float64Array;
  area: Float64Array;
  ignore: Uint8Array;
  boxes: Float64Array;
}

/** One (image, category) pair with ground truth or detections. */
export interface Cell {
  /** Index into PreparedEvaluation.imageIds. */
  image: number;
  /** Ground-truth indices, in annotation order. */
  gts: number[];
  /** Detection indices, highest score first, ties in input order. */
  dts: number[];
  /** The category is in the image's not_exhaustive_category_ids: unmatched detections are ignored. */
  notExhaustive: boolean;
}

export interface PreparedEvaluation {
  /** All ground-truth image ids, sorted. */
  imageIds: number[];
  /** All ground-truth category ids, sorted; a category index k refers to this list. */
  categoryIds: number[];
  /** Category indices per declared frequency. */
  frequencyGroups: Record<LvisFrequency, number[]>;
  gts: GroundTruthColumns;
  dts: DetectionColumns;
  /** Per category index, its cells in image order. */
  cellsByCategory: Cell[][];
}

export interface PrepareOptions {
  /** Evaluate only these images (lvis-api's params.img_ids); detections on other images are left out. */
  imageIds?: readonly number[];
  /** Names the results in errors. @default 'results' */
  resultsSource?: string;
}

function indexOfSorted(ids: readonly number[]): Map<number, number> {
  return new Map(ids.map((id, index) => [id, index]));
}

/** Sorted unique indices of an image subset; an id outside the ground truth is an error (lvis-api: KeyError). */
function subsetIndices(ids: readonly number[], imageIndex: ReadonlyMap<number, number>): number[] {
  const indices = ids.map((id, i) => {
    const index = imageIndex.get(id);
    if (index === undefined) {
      throw new LvisReferenceError(
        { file: '<options>', jsonPath: `imageIds[${i}]` },
        `image ${id} is not in the ground truth`,
        'Pass only ids of the ground truth images to evaluate a subset.',
      );
    }
    return index;
  });
  return [...new Set(indices)].sort((a, b) => a - b);
}

/** Detection indices per image after the cap: input order, or the top 300 by score (stable) when over it. */
function capPerImage(dts: DetectionColumns, imageCount: number): number[][] {
  const perImage: number[][] = Array.from({ length: imageCount }, () => []);
  for (let i = 0; i < dts.count; i++) perImage[dts.imageIndex[i]!]!.push(i);
  return perImage.map((list) => {
    if (list.length <= MAX_DETECTIONS_PER_IMAGE) return list;
    const byScore = [...list].sort((a, b) => dts.score[b]! - dts.score[a]! || a - b);
    return byScore.slice(0, MAX_DETECTIONS_PER_IMAGE);
  });
}

function groundTruthColumns(gt: LvisGroundTruth): GroundTruthColumns {
  const count = gt.annotations.length;
  const columns = {
    id: new Float64Array(count),
    area: new Float64Array(count),
    ignore: new Uint8Array(count),
    boxes: new Float64Array(count * 4),
  };
  gt.annotations.forEach((annotation, i) => {
    columns.id[i] = annotation.id;
    columns.area[i] = annotation.area;
    columns.ignore[i] = annotation.ignore ? 1 : 0;
    columns.boxes.set(annotation.bbox, i * 4);
  });
  return columns;
}

/** Everything the matcher needs, validated; see the file comment. */
export function prepareEvaluation(
  gt: LvisGroundTruth,
  results: readonly DetectionInput[],
  options: PrepareOptions = {},
): PreparedEvaluation {
  const imageIds = gt.images.map((image) => image.id).sort((a, b) => a - b);
  const categoryIds = gt.categories.map((category) => category.id).sort((a, b) => a - b);
  const imageIndex = indexOfSorted(imageIds);
  const categoryIndex = indexOfSorted(categoryIds);
  const dts = toDetectionColumns(results, imageIndex, categoryIndex, options.resultsSource ?? 'results');
  const gts = groundTruthColumns(gt);

  const frequencyGroups: Record<LvisFrequency, number[]> = { r: [], c: [], f: [] };
  const frequencyById = new Map(gt.categories.map((category) => [category.id, category.frequency]));
  categoryIds.forEach((id, k) => frequencyGroups[frequencyById.get(id)!].push(k));

  const evaluated = options.imageIds
    ? subsetIndices(options.imageIds, imageIndex)
    : imageIds.map((_, i) => i);

  // Ground truth with area in (0, inf), strictly: zero-area annotations disappear (not even misses).
  const gtsPerImage: number[][] = Array.from({ length: imageIds.length }, () => []);
  gt.annotations.forEach((annotation, i) => {
    const image = imageIndex.get(annotation.image_id);
    const area = annotation.area;
    if (image !== undefined && categoryIndex.has(annotation.category_id) && area > 0 && area < Infinity) {
      gtsPerImage[image]!.push(i);
    }
  });
  const imagesById = new Map(gt.images.map((image) => [image.id, image]));
  const dtsPerImage = capPerImage(dts, imageIds.length);
  const cellsByCategory: Cell[][] = Array.from({ length: categoryIds.length }, () => []);

  for (const image of evaluated) {
    const info = imagesById.get(imageIds[image]!)!;
    const cells = new Map<number, Cell>();
    const cellOf = (k: number): Cell => {
      let cell = cells.get(k);
      if (cell === undefined) cells.set(k, (cell = { image, gts: [], dts: [], notExhaustive: false }));
      return cell;
    };
    for (const g of gtsPerImage[image]!)
      cellOf(categoryIndex.get(gt.annotations[g]!.category_id)!).gts.push(g);
    const negative = new Set(info.neg_category_ids);
    for (const d of dtsPerImage[image]!) {
      const area = dts.boxes[d * 4 + 2]! * dts.boxes[d * 4 + 3]!;
      if (!(area > 0 && area < Infinity)) continue;
      const k = dts.categoryIndex[d]!;
      // The federated rule: only categories known to be present (ground truth) or absent (negative) count.
      if (cells.get(k)?.gts.length || negative.has(categoryIds[k]!)) cellOf(k).dts.push(d);
    }
    const notExhaustive = new Set(info.not_exhaustive_category_ids);
    for (const [k, cell] of [...cells].sort((a, b) => a[0] - b[0])) {
      cell.notExhaustive = notExhaustive.has(categoryIds[k]!);
      cell.dts.sort((a, b) => dts.score[b]! - dts.score[a]! || a - b);
      cellsByCategory[k]!.push(cell);
    }
  }
  return { imageIds, categoryIds, frequencyGroups, gts, dts, cellsByCategory };
}
