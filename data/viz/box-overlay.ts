// One panel's boxes as an SVG the size of the (scaled) image, for sharp to composite over the pixels: each box an
// unfilled rectangle in its category's colour with a filled tag holding its label (white text) above the box,
// or just inside it when the box touches the top. Edges are crisp (no anti-aliasing), so a pixel on a box edge
// has exactly the box's colour. Pure.
import { escapeXml, estimateTextWidth, svgAttributes } from './svg-text.js';

export interface OverlayBox {
  /** [x, y, width, height] in the panel's pixels (already scaled). */
  bbox: readonly [number, number, number, number];
  /** `#rrggbb`. */
  colour: string;
  /** The tag's text, e.g. `dog 0.93`; empty draws no tag. */
  label: string;
}

export interface OverlayStyle {
  /** Box edge width in pixels. @default 2 */
  strokeWidth?: number;
  /** Tag text size in pixels. @default 11 */
  fontSize?: number;
}

/** The boxes drawn in order (later ones on top), all rectangles first, then all tags, so no edge hides a tag. */
export function boxOverlaySvg(
  width: number,
  height: number,
  boxes: readonly OverlayBox[],
  style: OverlayStyle = {},
): string {
  const strokeWidth = style.strokeWidth ?? 2;
  const fontSize = style.fontSize ?? 11;
  const tagHeight = Math.ceil(fontSize * 1.3);
  const rects = boxes.map(
    ({ bbox: [x, y, w, h], colour }) =>
      `<rect ${svgAttributes({ x, y, width: w, height: h, fill: 'none', stroke: colour, 'stroke-width': strokeWidth })}/>`,
  );
  const tags = boxes
    .filter((box) => box.label !== '')
    .map(({ bbox: [x, y], colour, label }) => {
      const tagWidth = Math.ceil(estimateTextWidth(label, fontSize) + 4);
      const left = Math.max(0, Math.min(x - strokeWidth / 2, width - tagWidth));
      const top = y - strokeWidth / 2 - tagHeight >= 0 ? y - strokeWidth / 2 - tagHeight : Math.max(0, y);
      return (
        `<rect ${svgAttributes({ x: left, y: top, width: tagWidth, height: tagHeight, fill: colour })}/>` +
        `<text ${svgAttributes({ x: left + 2, y: top + tagHeight - Math.ceil(fontSize * 0.3) })}>${escapeXml(label)}</text>`
      );
    });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" ${svgAttributes({ width, height, viewBox: `0 0 ${width} ${height}` })}>`,
    `<g shape-rendering="crispEdges">${rects.join('')}</g>`,
    `<g font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" fill="#ffffff">${tags.join('')}</g>`,
    '</svg>',
  ].join('\n');
}
