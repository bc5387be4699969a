// A uniform-grid index over many boxes (the ~270k anchors of an 800×1344 image) so that the boxes that can
// overlap a query box are found without scanning all of them. The assigner uses it when there are many GTs
// (LVIS images have up to ~300): each GT then visits a few thousand anchors instead of every one.
//
// Boxes are grouped by size class (⌊log2 of the longer side⌋), so each group's boxes are at most twice as
// large as its smallest. A group's grid has cells as large as its largest box, and a box is filed under the
// cell of its top-left corner. A box overlapping the query [qx1, qx2) × [qy1, qy2) has
// qx1 − maxWidth < x1 < qx2 (and the same in y), which bounds the cells to visit. Empty and non-finite boxes
// overlap nothing and are left out. Building is two counting passes: O(boxes), no comparison sort.
import { boxCount } from './errors.js';

interface GridGroup {
  originX: number;
  originY: number;
  cellWidth: number;
  cellHeight: number;
  columns: number;
  rows: number;
  /** Box ids of cell c are ids[cellStart[c] .. cellStart[c + 1]) (ids is shared by all groups). */
  cellStart: Int32Array;
  ids: Int32Array;
}

export interface BoxGrid {
  readonly groups: readonly GridGroup[];
}

/** Size classes ⌊log2(longer side)⌋ are clamped to [MIN_CLASS, MIN_CLASS + CLASSES − 1]. */
const MIN_CLASS = -16;
const CLASSES = 64;

/** Indexes a flat xyxy array: three linear passes over typed arrays. */
export function buildBoxGrid(boxes: Float32Array): BoxGrid {
  const count = boxCount(boxes, 'boxes');
  // Pass 1: each box's size class (−1: left out) and per-class extents.
  const classOf = new Int16Array(count);
  const originX = new Float64Array(CLASSES).fill(Infinity);
  const originY = new Float64Array(CLASSES).fill(Infinity);
  const maxX = new Float64Array(CLASSES).fill(-Infinity);
  const maxY = new Float64Array(CLASSES).fill(-Infinity);
  const cellWidth = new Float64Array(CLASSES);
  const cellHeight = new Float64Array(CLASSES);
  for (let i = 0; i < count; i++) {
    const x1 = boxes[4 * i] ?? 0;
    const y1 = boxes[4 * i + 1] ?? 0;
    const width = (boxes[4 * i + 2] ?? 0) - x1;
    const height = (boxes[4 * i + 3] ?? 0) - y1;
    if (!(width > 0 && height > 0) || !Number.isFinite(x1 + y1 + width + height)) {
      classOf[i] = -1;
      continue;
    }
    const k = Math.min(CLASSES - 1, Math.max(0, Math.floor(Math.log2(Math.max(width, height))) - MIN_CLASS));
    classOf[i] = k;
    originX[k] = Math.min(originX[k]!, x1);
    originY[k] = Math.min(originY[k]!, y1);
    maxX[k] = Math.max(maxX[k]!, x1);
    maxY[k] = Math.max(maxY[k]!, y1);
    cellWidth[k] = Math.max(cellWidth[k]!, width);
    cellHeight[k] = Math.max(cellHeight[k]!, height);
  }
  // Per class: grid size and where its cells start in one shared cell array.
  const groupOf = new Int32Array(CLASSES).fill(-1);
  const layouts: Omit<GridGroup, 'cellStart' | 'ids'>[] = [];
  const cellBase: number[] = [];
  let cells = 0;
  for (let k = 0; k < CLASSES; k++) {
    if (cellWidth[k] === 0) continue;
    const columns = Math.floor((maxX[k]! - originX[k]!) / cellWidth[k]!) + 1;
    const rows = Math.floor((maxY[k]! - originY[k]!) / cellHeight[k]!) + 1;
    groupOf[k] = layouts.length;
    layouts.push({
      originX: originX[k]!,
      originY: originY[k]!,
      cellWidth: cellWidth[k]!,
      cellHeight: cellHeight[k]!,
      columns,
      rows,
    });
    cellBase.push(cells);
    cells += columns * rows;
  }
  // Passes 2-3: a counting sort of the boxes by (class, cell).
  const cellOf = new Int32Array(count);
  const cellStart = new Int32Array(cells + 1);
  for (let i = 0; i < count; i++) {
    const k = classOf[i]!;
    if (k < 0) continue;
    const group = groupOf[k]!;
    const g = layouts[group]!;
    const cell =
      cellBase[group]! +
      Math.floor(((boxes[4 * i + 1] ?? 0) - g.originY) / g.cellHeight) * g.columns +
      Math.floor(((boxes[4 * i] ?? 0) - g.originX) / g.cellWidth);
    cellOf[i] = cell;
    cellStart[cell + 1]! += 1;
  }
  for (let c = 0; c < cells; c++) cellStart[c + 1]! += cellStart[c]!;
  const fill = cellStart.slice(0, cells);
  const ids = new Int32Array(cellStart[cells]!);
  for (let i = 0; i < count; i++) if (classOf[i]! >= 0) ids[fill[cellOf[i]!]!++] = i;
  return {
    groups: layouts.map((layout, group) => ({
      ...layout,
      cellStart: cellStart.subarray(cellBase[group], cellBase[group]! + layout.columns * layout.rows + 1),
      ids,
    })),
  };
}

/**
 * Calls `visit` with the id of every indexed box whose top-left corner lies where an overlap with the query
 * box is possible: a superset of the boxes overlapping it, in no particular order, each at most once.
 */
export function forEachCandidate(
  grid: BoxGrid,
  qx1: number,
  qy1: number,
  qx2: number,
  qy2: number,
  visit: (id: number) => void,
): void {
  for (const g of grid.groups) {
    const clampColumn = (x: number): number => Math.min(g.columns - 1, Math.max(0, Math.floor(x)));
    const clampRow = (y: number): number => Math.min(g.rows - 1, Math.max(0, Math.floor(y)));
    const firstColumn = clampColumn((qx1 - g.cellWidth - g.originX) / g.cellWidth);
    const lastColumn = clampColumn((qx2 - g.originX) / g.cellWidth);
    const firstRow = clampRow((qy1 - g.cellHeight - g.originY) / g.cellHeight);
    const lastRow = clampRow((qy2 - g.originY) / g.cellHeight);
    for (let row = firstRow; row <= lastRow; row++) {
      const start = g.cellStart[row * g.columns + firstColumn] ?? 0;
      const end = g.cellStart[row * g.columns + lastColumn + 1] ?? 0;
      for (let k = start; k < end; k++) visit(g.ids[k] ?? 0);
    }
  }
}
