// One val image as a PNG of two panels side by side, predictions left and ground truth right, each the image
// with its boxes composited over it (box-overlay.ts, rendered by sharp's librsvg), under a strip naming the
// panel. Images narrower than `minPanelWidth` are enlarged (nearest neighbour) so small images stay readable;
// boxes are scaled with them. The same inputs give the same bytes.
import sharp from 'sharp';
import { boxOverlaySvg } from './box-overlay.js';
import type { BoxToDraw } from './boxes-to-draw.js';
import { VisualizeError } from './errors.js';
import { escapeXml, svgAttributes } from './svg-text.js';

export interface DetectionPanelsInput {
  imageId: number;
  /** The image's JPEG (or any format sharp reads). */
  jpeg: Buffer;
  /** The size the annotations give; the decoded image must have it. */
  width: number;
  height: number;
  predictions: readonly BoxToDraw[];
  groundTruth: readonly BoxToDraw[];
  /** Header of each panel. @default ['predictions', 'ground truth'] */
  titles?: readonly [string, string];
}

export interface PanelLayoutOptions {
  /** Narrower images are enlarged to this width. @default 320 */
  minPanelWidth?: number;
  /** White space between the panels, pixels. @default 8 */
  gap?: number;
  /** Height of the title strip, pixels. @default 22 */
  headerHeight?: number;
}

export interface DetectionPanels {
  png: Buffer;
  width: number;
  height: number;
  /** Panel pixels per image pixel, x and y. */
  scale: [number, number];
  /** Top-left corner of each panel in the PNG: predictions, then ground truth. */
  panels: [{ left: number; top: number }, { left: number; top: number }];
}

function scaleBoxes(boxes: readonly BoxToDraw[], sx: number, sy: number): BoxToDraw[] {
  return boxes.map((box) => ({
    ...box,
    bbox: [box.bbox[0] * sx, box.bbox[1] * sy, box.bbox[2] * sx, box.bbox[3] * sy],
  }));
}

function headerSvg(width: number, height: number, titles: readonly string[], lefts: number[]): string {
  const texts = titles.map(
    (title, i) => `<text ${svgAttributes({ x: lefts[i]! + 4, y: height - 6 })}>${escapeXml(title)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" ${svgAttributes({ width, height })}>` +
    `<g font-family="DejaVu Sans, sans-serif" font-size="13" fill="#222222">${texts.join('')}</g></svg>`
  );
}

/** The two-panel PNG of one image. */
export async function renderDetectionPanels(
  input: DetectionPanelsInput,
  options: PanelLayoutOptions = {},
): Promise<DetectionPanels> {
  const { imageId, width, height } = input;
  const metadata = await sharp(input.jpeg)
    .metadata()
    .catch((error: unknown) => {
      throw new VisualizeError(`image ${imageId}: not a readable image`, 'invalid', 'check the image file', {
        cause: error,
      });
    });
  if (metadata.width !== width || metadata.height !== height) {
    throw new VisualizeError(
      `image ${imageId} is ${metadata.width}x${metadata.height} pixels, the ground truth says ${width}x${height}`,
      'invalid',
      'pass the images (--images-from) of the split the ground truth describes',
    );
  }
  const gap = options.gap ?? 8;
  const headerHeight = options.headerHeight ?? 22;
  const panelWidth = Math.max(width, options.minPanelWidth ?? 320);
  const panelHeight = Math.round((height * panelWidth) / width);
  const sx = panelWidth / width;
  const sy = panelHeight / height;
  let base = sharp(input.jpeg).removeAlpha().toColourspace('srgb');
  if (panelWidth !== width) base = base.resize(panelWidth, panelHeight, { kernel: 'nearest' });
  const pixels = await base.png().toBuffer();
  const style = { strokeWidth: 2, fontSize: 11 };
  const panel = (boxes: readonly BoxToDraw[]) =>
    sharp(pixels)
      .composite([
        { input: Buffer.from(boxOverlaySvg(panelWidth, panelHeight, scaleBoxes(boxes, sx, sy), style)) },
      ])
      .png()
      .toBuffer();
  const [left, right] = await Promise.all([panel(input.predictions), panel(input.groundTruth)]);
  const totalWidth = panelWidth * 2 + gap;
  const totalHeight = headerHeight + panelHeight;
  const lefts = [0, panelWidth + gap];
  const titles = input.titles ?? ['predictions', 'ground truth'];
  const png = await sharp({
    create: { width: totalWidth, height: totalHeight, channels: 3, background: '#ffffff' },
  })
    .composite([
      { input: Buffer.from(headerSvg(totalWidth, headerHeight, titles, lefts)), left: 0, top: 0 },
      { input: left, left: lefts[0]!, top: headerHeight },
      { input: right, left: lefts[1]!, top: headerHeight },
    ])
    .removeAlpha()
    .png()
    .toBuffer();
  return {
    png,
    width: totalWidth,
    height: totalHeight,
    scale: [sx, sy],
    panels: [
      { left: lefts[0]!, top: headerHeight },
      { left: lefts[1]!, top: headerHeight },
    ],
  };
}
