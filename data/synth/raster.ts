// Polygon scan conversion shared by planning and rendering, so the `area` and `bbox` written to the JSON are
// exactly the pixels drawn: a pixel belongs to an object when its centre is inside the polygon (even-odd rule).
// LVIS's `area` is a mask area, not width*height; this is the synthetic equivalent.

export type Polygon = ReadonlyArray<readonly [number, number]>;

/** One row's covered pixels: columns [x0, x1) of row y. */
export interface Span {
  y: number;
  x0: number;
  x1: number;
}

/** The pixel spans of `polygon`, clipped to a width x height image. */
export function polygonSpans(polygon: Polygon, width: number, height: number): Span[] {
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of polygon) {
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const spans: Span[] = [];
  const firstRow = Math.max(0, Math.ceil(minY - 0.5));
  const lastRow = Math.min(height - 1, Math.floor(maxY - 0.5));
  const crossings: number[] = [];
  for (let y = firstRow; y <= lastRow; y++) {
    const centreY = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < polygon.length; i++) {
      const [ax, ay] = polygon[i]!;
      const [bx, by] = polygon[(i + 1) % polygon.length]!;
      // Half-open in y so a vertex on the scanline is counted once.
      if (ay <= centreY !== by <= centreY) crossings.push(ax + ((centreY - ay) / (by - ay)) * (bx - ax));
    }
    crossings.sort((a, b) => a - b);
    for (let i = 0; i + 1 < crossings.length; i += 2) {
      const x0 = Math.max(0, Math.ceil(crossings[i]! - 0.5));
      const x1 = Math.min(width, Math.ceil(crossings[i + 1]! - 0.5));
      if (x1 > x0) spans.push({ y, x0, x1 });
    }
  }
  return spans;
}

/** Pixel count and tight [x, y, w, h] box of the spans (undefined when nothing is covered). */
export function spansExtent(
  spans: readonly Span[],
): { area: number; bbox: [number, number, number, number] } | undefined {
  if (spans.length === 0) return undefined;
  let area = 0;
  let minX = Infinity;
  let maxX = -Infinity;
  for (const span of spans) {
    area += span.x1 - span.x0;
    minX = Math.min(minX, span.x0);
    maxX = Math.max(maxX, span.x1);
  }
  const minY = spans[0]!.y;
  const maxY = spans[spans.length - 1]!.y;
  return { area, bbox: [minX, minY, maxX - minX, maxY - minY + 1] };
}
