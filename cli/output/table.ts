/**
 * Aligns rows as kubectl does (Go's tabwriter with minimum width 6, padding 3, spaces): every column but the
 * last is padded to its widest cell plus 3; the last is not padded, so lines carry no trailing spaces.
 */
export function alignColumns(
  rows: readonly (readonly string[])[],
  minimumWidths: readonly number[] = [],
): string[] {
  const widths = columnWidths(rows).map((width, index) => Math.max(width, minimumWidths[index] ?? 0));
  return rows.map((row) =>
    row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join(''),
  );
}

const padding = 3;
const minWidth = 6;

/** The column widths alignColumns gives `rows`: `get -w` pads later rows to the header's widths. */
export function columnWidths(rows: readonly (readonly string[])[]): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, Math.max(cell.length + padding, minWidth));
    });
  }
  return widths;
}
