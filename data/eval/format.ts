// How `baclctl eval -o json|table` prints the 13 metrics: JSON is one object with lvis-api's key names; the
// table puts overall AP, the r/c/f split and recall on their own rows, -1 shown as "-" (undefined).
import { LVIS_METRIC_KEYS, type LvisMetrics } from './summarize.js';

export type LvisMetricsFormat = 'json' | 'table';

function cell(value: number): string {
  return value === -1 ? '-' : (value * 100).toFixed(1);
}

const tableRows: ReadonlyArray<[string, ReadonlyArray<keyof LvisMetrics>]> = [
  ['AP', ['AP', 'AP50', 'AP75']],
  ['by size', ['APs', 'APm', 'APl']],
  ['by frequency', ['APr', 'APc', 'APf']],
  ['recall', ['AR@300', 'ARs@300', 'ARm@300', 'ARl@300']],
];

/** The metrics as text ending in a newline; table values are percentages with one decimal. */
export function formatLvisMetrics(metrics: LvisMetrics, format: LvisMetricsFormat): string {
  if (format === 'json') {
    const ordered = Object.fromEntries(LVIS_METRIC_KEYS.map((key) => [key, metrics[key]]));
    return `${JSON.stringify(ordered)}\n`;
  }
  const lines = tableRows.map(([label, keys]) => {
    const cells = keys.map((key) => `${key.padStart(8)} ${cell(metrics[key]).padStart(5)}`);
    return `${label.padEnd(13)}${cells.join('  ')}`;
  });
  return `${lines.join('\n')}\n`;
}
