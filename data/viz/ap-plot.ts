// The long-tail picture of a run: per-category AP (y, 0-100 %) against the category's training images (x, log
// scale), over three shaded bands, LVIS's frequency groups by training images: rare 1-10, common 11-100,
// frequent > 100 (common/lvis lvisFrequencyForImageCount; a category in no training image counts as rare and
// sits at the "0" tick). One point per category and run with a defined AP; each run's mean AP over a band's
// categories is a horizontal line across the band. Hand-written SVG, no chart library: the same data give the
// same bytes. Pure.
import { lvisFrequencyForImageCount, type LvisFrequency } from '../../common/index.js';
import { numpyMean } from '../eval/numpy-sum.js';
import { escapeXml, svgAttributes, svgNumber } from './svg-text.js';

export interface PlotCategory {
  id: number;
  name: string;
  /** Images of the training split with the category (the x axis). */
  trainImages: number;
}

export interface PlotRun {
  /** Legend text, e.g. the results file. */
  label: string;
  /** AP per category id in [0, 1]; -1 or absent: undefined (not drawn). */
  ap: ReadonlyMap<number, number>;
}

export interface ApPlotOptions {
  /** @default 'Per-category AP vs training frequency' */
  title?: string;
  /** A line under the title (e.g. where the x values come from). */
  subtitle?: string;
  /** @default 'training images with the category (log scale)' */
  xLabel?: string;
}

/** Colours of the runs' points and lines: the first run, then the one compared with. */
export const plotRunColours = ['#1f6fb4', '#d6402b'] as const;

const bandDefinitions: ReadonlyArray<{
  group: LvisFrequency;
  label: string;
  fill: string;
  from: number;
  to: number;
}> = [
  { group: 'r', label: 'rare (1-10)', fill: '#fbe3df', from: 0, to: 10.5 },
  { group: 'c', label: 'common (11-100)', fill: '#fcf3cf', from: 10.5, to: 100.5 },
  { group: 'f', label: 'frequent (>100)', fill: '#e2f1de', from: 100.5, to: Infinity },
];

const size = { width: 900, height: 580, left: 70, right: 30, top: 106, bottom: 64 };
const plotWidth = size.width - size.left - size.right;
const plotHeight = size.height - size.top - size.bottom;
/** Where a count of 0 is drawn (log scale has no 0). */
const zeroAt = 0.5;

function xDomainEnd(categories: readonly PlotCategory[]): number {
  const most = categories.reduce((max, category) => Math.max(max, category.trainImages), 0);
  return 10 ** Math.max(3, Math.ceil(Math.log10(most + 1)));
}

/** Each run's mean AP per frequency group, over its categories with a defined AP; undefined when none. */
export function groupMeans(
  categories: readonly PlotCategory[],
  run: PlotRun,
): Record<LvisFrequency, number | undefined> {
  const means: Record<LvisFrequency, number | undefined> = { r: undefined, c: undefined, f: undefined };
  for (const { group } of bandDefinitions) {
    const values = categories
      .filter((category) => lvisFrequencyForImageCount(category.trainImages) === group)
      .map((category) => run.ap.get(category.id) ?? -1)
      .filter((ap) => ap > -1);
    if (values.length > 0) means[group] = numpyMean(Float64Array.from(values));
  }
  return means;
}

/** The SVG document (UTF-8 text, ending in a newline). */
export function apVsFrequencySvg(
  categories: readonly PlotCategory[],
  runs: readonly PlotRun[],
  options: ApPlotOptions = {},
): string {
  if (runs.length < 1 || runs.length > plotRunColours.length) {
    throw new RangeError(`the plot draws 1 or ${plotRunColours.length} runs, not ${runs.length}`);
  }
  const xEnd = xDomainEnd(categories);
  const logSpan = Math.log10(xEnd) - Math.log10(zeroAt);
  const px = (count: number) =>
    size.left + ((Math.log10(Math.max(count, zeroAt)) - Math.log10(zeroAt)) / logSpan) * plotWidth;
  const py = (ap: number) => size.top + (1 - ap) * plotHeight;
  const right = size.left + plotWidth;
  const bottom = size.top + plotHeight;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" ${svgAttributes({ width: size.width, height: size.height, viewBox: `0 0 ${size.width} ${size.height}` })} font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect ${svgAttributes({ x: 0, y: 0, width: size.width, height: size.height, fill: '#ffffff' })}/>`,
    `<text ${svgAttributes({ x: size.width / 2, y: 24, 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' })}>${escapeXml(options.title ?? 'Per-category AP vs training frequency')}</text>`,
  );
  if (options.subtitle !== undefined) {
    out.push(
      `<text ${svgAttributes({ x: size.width / 2, y: 44, 'text-anchor': 'middle', fill: '#555555' })}>${escapeXml(options.subtitle)}</text>`,
    );
  }
  // Bands, each labelled at its top.
  out.push('<g class="bands">');
  for (const band of bandDefinitions) {
    const x0 = Math.max(size.left, px(Math.max(band.from, zeroAt)));
    const x1 = Math.min(right, band.to === Infinity ? right : px(band.to));
    out.push(
      `<rect ${svgAttributes({ class: `band band-${band.group}`, x: x0, y: size.top, width: x1 - x0, height: plotHeight, fill: band.fill })}/>`,
      `<text ${svgAttributes({ x: (x0 + x1) / 2, y: size.top + 16, 'text-anchor': 'middle', fill: '#666666' })}>${escapeXml(band.label)}</text>`,
    );
  }
  out.push('</g>');
  // Grid and ticks.
  out.push('<g class="axes" stroke="#999999" stroke-width="1">');
  for (let percent = 0; percent <= 100; percent += 10) {
    const y = py(percent / 100);
    out.push(
      `<line ${svgAttributes({ x1: size.left, y1: y, x2: right, y2: y, stroke: percent === 0 ? '#333333' : '#dddddd' })}/>`,
      `<text ${svgAttributes({ class: 'y-tick', x: size.left - 6, y: y + 4, 'text-anchor': 'end', stroke: 'none', fill: '#333333' })}>${percent}</text>`,
    );
  }
  const xTicks: Array<[number, string]> = [[zeroAt, '0']];
  for (let power = 1; power <= xEnd; power *= 10) {
    xTicks.push([power, String(power)]);
    for (let minor = 2; minor < 10 && power * minor < xEnd; minor++) xTicks.push([power * minor, '']);
  }
  for (const [value, label] of xTicks) {
    const x = px(value);
    out.push(
      `<line ${svgAttributes({ x1: x, y1: bottom, x2: x, y2: bottom + (label === '' ? 3 : 6), stroke: '#333333' })}/>`,
    );
    if (label !== '') {
      out.push(
        `<text ${svgAttributes({ class: 'x-tick', x, y: bottom + 20, 'text-anchor': 'middle', stroke: 'none', fill: '#333333' })}>${label}</text>`,
      );
    }
  }
  out.push(
    `<line ${svgAttributes({ x1: size.left, y1: size.top, x2: size.left, y2: bottom, stroke: '#333333' })}/>`,
    '</g>',
    `<text ${svgAttributes({ x: size.left + plotWidth / 2, y: size.height - 14, 'text-anchor': 'middle' })}>${escapeXml(options.xLabel ?? 'training images with the category (log scale)')}</text>`,
    `<text ${svgAttributes({ x: 18, y: size.top + plotHeight / 2, 'text-anchor': 'middle', transform: `rotate(-90 18 ${svgNumber(size.top + plotHeight / 2)})` })}>AP (%), IoU 0.5:0.95</text>`,
  );
  // Points, then the group means over them.
  runs.forEach((run, i) => {
    const colour = plotRunColours[i]!;
    out.push(
      `<g ${svgAttributes({ class: `run run-${i}`, fill: colour, 'fill-opacity': 0.75, stroke: '#ffffff', 'stroke-width': 0.5 })}>`,
    );
    for (const category of categories) {
      const ap = run.ap.get(category.id) ?? -1;
      if (!(ap > -1)) continue;
      const tip = `${category.name} (id ${category.id}): AP ${(ap * 100).toFixed(1)}, ${category.trainImages} training images (${run.label})`;
      out.push(
        `<circle ${svgAttributes({ class: 'point', cx: px(category.trainImages), cy: py(ap), r: 3.5 })}><title>${escapeXml(tip)}</title></circle>`,
      );
    }
    out.push('</g>');
  });
  runs.forEach((run, i) => {
    const colour = plotRunColours[i]!;
    const means = groupMeans(categories, run);
    out.push(`<g ${svgAttributes({ class: `means means-${i}`, stroke: colour, 'stroke-width': 2 })}>`);
    for (const band of bandDefinitions) {
      const mean = means[band.group];
      if (mean === undefined) continue;
      const x0 = Math.max(size.left, px(Math.max(band.from, zeroAt)));
      const x1 = Math.min(right, band.to === Infinity ? right : px(band.to));
      const y = py(mean);
      out.push(
        `<line ${svgAttributes({ class: `mean mean-${band.group}`, x1: x0, y1: y, x2: x1, y2: y, 'stroke-dasharray': i === 0 ? undefined : '7 4' })}/>`,
        `<text ${svgAttributes({ x: x1 - 4, y: y - 4, 'text-anchor': 'end', stroke: 'none', fill: colour })}>${(mean * 100).toFixed(1)}</text>`,
      );
    }
    out.push('</g>');
  });
  // Legend under the title: a row per run (point and line samples, its label), and what a line means.
  out.push('<g class="legend">');
  runs.forEach((run, i) => {
    const y = 66 + i * 17;
    const x = size.left;
    const shown = run.label.length > 100 ? `…${run.label.slice(-99)}` : run.label;
    out.push(
      `<circle ${svgAttributes({ cx: x + 6, cy: y - 4, r: 4, fill: plotRunColours[i]! })}/>`,
      `<line ${svgAttributes({ x1: x + 14, y1: y - 4, x2: x + 34, y2: y - 4, stroke: plotRunColours[i]!, 'stroke-width': 2, 'stroke-dasharray': i === 0 ? undefined : '7 4' })}/>`,
      `<text ${svgAttributes({ x: x + 40, y })}>${escapeXml(shown)}</text>`,
    );
  });
  out.push(
    `<text ${svgAttributes({ x: right, y: 66, 'text-anchor': 'end', fill: '#555555' })}>lines: mean AP of the band's categories</text>`,
  );
  out.push('</g>', '</svg>');
  return `${out.join('\n')}\n`;
}
