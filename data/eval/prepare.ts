// lvis-api's LVISResults + LVISEval._prepare as columns: the per-image cap, the area filter, and the federated
// rule that decides which detections are evaluated at all (spec lvis-eval.md §2.2-2.3). Output: the kept
// detections and ground truth copied into (category, image) order, and per category its (image, category)
// cells in image order, each cell a range of both (CSR layout). Every array comes from `allocate`, so the
// parallel evaluator can put them in SharedArrayBuffers that every thread reads without a copy.
//
// Order, as lvis-api's: a cell's detections by score, highest first, ties in input order; its ground truth in
// annotation order; a category's cells by image id.
import { LvisReferenceError, type LvisFrequency, type LvisGroundTruth } from '../../common/index.js';
import type { DetectionColumns, DetectionTargets } from './detections.js';
import { MAX_DETECTIONS_PER_IMAGE } from './params.js';

/** Allocates the prepared arrays: plain ArrayBuffers, or SharedArrayBuffers for threads. */
export type BufferAllocator = (bytes: number) => ArrayBufferLike;

export const plainBuffers: BufferAllocator = (bytes) => new ArrayBuffer(bytes);
export const sharedBuffers: BufferAllocator = (bytes) => new SharedArrayBuffer(bytes);

export interface PreparedEvaluation {
  /** All ground-truth image ids, sorted. */
  imageIds: number[];
  /** All ground-truth category ids, sorted; a category index k refers to this list. */
  categoryIds: number[];
  /** Category indices per declared frequency. */
  frequencyGroups: Record<LvisFrequency, number[]>;
  /** Category k's cells are [cellStart[k], cellStart[k + 1]). */
  cellStart: Int32Array;
  /** Cell c's detections are [cellDt[c], cellDt[c + 1]) of the dt arrays, its gts [cellGt[c], cellGt[c + 1]). */
  cellDt: Int32Array;
  cellGt: Int32Array;
  /** 1 where the cell's category is in its image's not_exhaustive_category_ids (unmatched dts ignored). */
  cellNotExhaustive: Uint8Array;
  /** Kept detections in cell order: [x, y, w, h] and score. */
  dtBoxes: Float64Array;
  dtScore: Float64Array;
  /** Kept ground truth in cell order. */
  gtBoxes: Float64Array;
  gtArea: Float64Array;
  gtIgnore: Uint8Array;
  /** The annotation id (lvis-api's match marker: an id of 0 reads as "unmatched"). */
  gtId: Float64Array;
}

export interface PrepareOptions {
  /** Evaluate only these images (lvis-api's params.img_ids); detections on other images are left out. */
  imageIds?: readonly number[];
  /** Names the results in errors. @default 'results' */
  resultsSource?: string;
}

/** Evaluated image indices, sorted and unique; an id outside the ground truth is an error (lvis-api: KeyError). */
function evaluatedImages(targets: DetectionTargets, ids: readonly number[] | undefined): Uint8Array {
  const evaluated = new Uint8Array(targets.images.size);
  if (ids === undefined) return evaluated.fill(1);
  ids.forEach((id, i) => {
    const index = targets.images.indexOf(id);
    if (index === -1) {
      throw new LvisReferenceError(
        { file: '<options>', jsonPath: `imageIds[${i}]` },
        `image ${id} is not in the ground truth`,
        'Pass only ids of the ground truth images to evaluate a subset.',
      );
    }
    evaluated[index] = 1;
  });
  return evaluated;
}

/** A stable counting sort of `items` by `key(item)` in [0, keys): CSR starts and the sorted items. */
function countingSort(
  items: Int32Array,
  keys: number,
  key: (item: number) => number,
): { start: Int32Array; sorted: Int32Array } {
  const start = new Int32Array(keys + 1);
  for (let i = 0; i < items.length; i++) start[key(items[i]!) + 1]! += 1;
  for (let k = 0; k < keys; k++) start[k + 1]! += start[k]!;
  const next = start.slice(0, keys);
  const sorted = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) sorted[next[key(items[i]!)]!++] = items[i]!;
  return { start, sorted };
}

/** Sorts items[from, to) by score, highest first, ties by index (a total order, so the result is unique). */
function sortByScore(items: Int32Array, from: number, to: number, score: Float64Array): void {
  if (to - from <= 24) {
    for (let i = from + 1; i < to; i++) {
      const item = items[i]!;
      const itemScore = score[item]!;
      let j = i - 1;
      for (; j >= from; j--) {
        const other = items[j]!;
        // item goes before other: a higher score, or the same score and a lower index
        if (!(itemScore > score[other]! || (itemScore === score[other] && item < other))) break;
        items[j + 1] = other;
      }
      items[j + 1] = item;
    }
    return;
  }
  items.subarray(from, to).sort((a, b) => score[b]! - score[a]! || a - b);
}

/** Detections left after the per-image cap, grouped by image in input order (the top 300 by score when over). */
function capPerImage(dts: DetectionColumns, imageCount: number): { start: Int32Array; sorted: Int32Array } {
  const all = new Int32Array(dts.count);
  for (let i = 0; i < dts.count; i++) all[i] = i;
  const byImage = countingSort(all, imageCount, (d) => dts.imageIndex[d]!);
  for (let image = 0; image < imageCount; image++) {
    const from = byImage.start[image]!;
    const to = byImage.start[image + 1]!;
    if (to - from <= MAX_DETECTIONS_PER_IMAGE) continue;
    sortByScore(byImage.sorted, from, to, dts.score);
    byImage.sorted.fill(-1, from + MAX_DETECTIONS_PER_IMAGE, to); // dropped
  }
  return byImage;
}

/** Everything the matcher needs, validated; see the file comment. */
export function prepareEvaluation(
  gt: LvisGroundTruth,
  targets: DetectionTargets,
  dts: DetectionColumns,
  options: PrepareOptions = {},
  allocate: BufferAllocator = plainBuffers,
): PreparedEvaluation {
  const imageIds = targets.images.ids;
  const categoryIds = targets.categories.ids;
  const imageCount = imageIds.length;
  const K = categoryIds.length;
  const frequencyGroups: Record<LvisFrequency, number[]> = { r: [], c: [], f: [] };
  const frequencyById = new Map(gt.categories.map((category) => [category.id, category.frequency]));
  categoryIds.forEach((id, k) => frequencyGroups[frequencyById.get(id)!].push(k));
  const evaluated = evaluatedImages(targets, options.imageIds);

  // Ground truth with area in (0, inf), strictly (zero-area annotations disappear, not even misses), on
  // evaluated images; grouped by (category, image), annotation order within.
  const annotations = gt.annotations;
  const gtImage = new Int32Array(annotations.length);
  const gtCategory = new Int32Array(annotations.length);
  const keptGts: number[] = [];
  annotations.forEach((annotation, i) => {
    const image = targets.images.indexOf(annotation.image_id);
    const category = targets.categories.indexOf(annotation.category_id);
    gtImage[i] = image;
    gtCategory[i] = category;
    const area = annotation.area;
    if (image !== -1 && category !== -1 && evaluated[image] && area > 0 && area < Infinity) keptGts.push(i);
  });
  const gtsByImage = countingSort(Int32Array.from(keptGts), imageCount, (g) => gtImage[g]!);
  const gtsByCell = countingSort(gtsByImage.sorted, K, (g) => gtCategory[g]!);

  // Detections after the cap, the area filter and the federated rule: only categories known to be present
  // (ground truth on the image) or absent (neg_category_ids) count.
  const capped = capPerImage(dts, imageCount);
  const gtMark = new Int32Array(K).fill(-1);
  const negativeMark = new Int32Array(K).fill(-1);
  const notExhaustive = new Set<number>();
  const kept = new Int32Array(dts.count);
  let keptCount = 0;
  const imagesById = new Map(gt.images.map((image) => [image.id, image]));
  for (let image = 0; image < imageCount; image++) {
    if (!evaluated[image]) continue;
    const info = imagesById.get(imageIds[image]!)!;
    for (let i = gtsByImage.start[image]!; i < gtsByImage.start[image + 1]!; i++) {
      gtMark[gtCategory[gtsByImage.sorted[i]!]!] = image;
    }
    for (const id of info.neg_category_ids) {
      const k = targets.categories.indexOf(id);
      if (k !== -1) negativeMark[k] = image;
    }
    for (const id of info.not_exhaustive_category_ids) {
      const k = targets.categories.indexOf(id);
      if (k !== -1) notExhaustive.add(image * K + k);
    }
    for (let i = capped.start[image]!; i < capped.start[image + 1]!; i++) {
      const d = capped.sorted[i]!;
      if (d === -1) continue;
      const area = dts.boxes[d * 4 + 2]! * dts.boxes[d * 4 + 3]!;
      if (!(area > 0 && area < Infinity)) continue;
      const k = dts.categoryIndex[d]!;
      if (gtMark[k] === image || negativeMark[k] === image) kept[keptCount++] = d;
    }
  }
  const dtsByCell = countingSort(kept.subarray(0, keptCount), K, (d) => dts.categoryIndex[d]!).sorted;

  // Cells: per category, the union of the images of its detections and of its ground truth, in image order.
  // Typed lists sized for the most cells possible (one per kept detection or ground truth).
  const most = keptCount + keptGts.length;
  const cellImage = new Int32Array(most);
  const cellDtList = new Int32Array(most);
  const cellGtList = new Int32Array(most);
  let cells = 0;
  const starts = new Int32Array(allocate(4 * (K + 1)));
  let d = 0;
  let g = 0;
  for (let k = 0; k < K; k++) {
    starts[k] = cells;
    const dEnd = d + countOf(dtsByCell, d, (x) => dts.categoryIndex[x] === k);
    const gEnd = gtsByCell.start[k + 1]!;
    while (d < dEnd || g < gEnd) {
      const dImage = d < dEnd ? dts.imageIndex[dtsByCell[d]!]! : imageCount;
      const gImage = g < gEnd ? gtImage[gtsByCell.sorted[g]!]! : imageCount;
      const image = Math.min(dImage, gImage);
      cellImage[cells] = image;
      cellDtList[cells] = d;
      cellGtList[cells] = g;
      cells += 1;
      const dFrom = d;
      while (d < dEnd && dts.imageIndex[dtsByCell[d]!] === image) d++;
      sortByScore(dtsByCell, dFrom, d, dts.score);
      while (g < gEnd && gtImage[gtsByCell.sorted[g]!] === image) g++;
    }
  }
  starts[K] = cells;
  const cellDt = new Int32Array(allocate(4 * (cells + 1)));
  const cellGt = new Int32Array(allocate(4 * (cells + 1)));
  const cellNotExhaustive = new Uint8Array(allocate(cells));
  cellDt.set(cellDtList.subarray(0, cells));
  cellGt.set(cellGtList.subarray(0, cells));
  cellDt[cells] = keptCount;
  cellGt[cells] = keptGts.length;
  if (notExhaustive.size > 0) {
    for (let k = 0; k < K; k++) {
      for (let c = starts[k]!; c < starts[k + 1]!; c++)
        cellNotExhaustive[c] = notExhaustive.has(cellImage[c]! * K + k) ? 1 : 0;
    }
  }

  const dtBoxes = new Float64Array(allocate(8 * 4 * keptCount));
  const dtScore = new Float64Array(allocate(8 * keptCount));
  const boxes = dts.boxes;
  for (let i = 0; i < keptCount; i++) {
    const from = dtsByCell[i]!;
    dtScore[i] = dts.score[from]!;
    // Element by element: a subarray per detection would be 1.5M short-lived objects at LVIS scale.
    dtBoxes[i * 4] = boxes[from * 4]!;
    dtBoxes[i * 4 + 1] = boxes[from * 4 + 1]!;
    dtBoxes[i * 4 + 2] = boxes[from * 4 + 2]!;
    dtBoxes[i * 4 + 3] = boxes[from * 4 + 3]!;
  }
  const G = keptGts.length;
  const gtBoxes = new Float64Array(allocate(8 * 4 * G));
  const gtArea = new Float64Array(allocate(8 * G));
  const gtIgnore = new Uint8Array(allocate(G));
  const gtId = new Float64Array(allocate(8 * G));
  for (let i = 0; i < G; i++) {
    const annotation = annotations[gtsByCell.sorted[i]!]!;
    gtBoxes.set(annotation.bbox, i * 4);
    gtArea[i] = annotation.area;
    gtIgnore[i] = annotation.ignore ? 1 : 0;
    gtId[i] = annotation.id;
  }
  return {
    imageIds,
    categoryIds,
    frequencyGroups,
    cellStart: starts,
    cellDt,
    cellGt,
    cellNotExhaustive,
    dtBoxes,
    dtScore,
    gtBoxes,
    gtArea,
    gtIgnore,
    gtId,
  };
}

/** How many items from `from` on satisfy `test` (they come first). */
function countOf(items: Int32Array, from: number, test: (item: number) => boolean): number {
  let i = from;
  while (i < items.length && test(items[i]!)) i++;
  return i - from;
}
