import type { BaclJob } from '../../common/index.js';
import type { JobEvent, SyncedEvent } from '../kube/watch-jobs.js';
import { formatJobs, tableRows, type PrintOptions } from '../output/format.js';
import { alignColumns, columnWidths } from '../output/table.js';

/**
 * `get -w`: the table of what exists first (header included), then one row per change, padded to the first
 * table's widths, as `kubectl get -w` prints it. JSON, YAML and name print one object (or name) per change.
 * Returns when the events end (Ctrl-C).
 */
export async function printWatch(
  events: AsyncIterable<JobEvent | SyncedEvent>,
  options: Omit<PrintOptions, 'now'> & { now: () => Date },
  log: (text: string) => void,
): Promise<void> {
  const initial: BaclJob[] = [];
  let widths: number[] | undefined;
  for await (const event of events) {
    if (event.type === 'SYNCED') {
      if (widths !== undefined) continue; // a relist after 410 Gone: its rows came as events already
      const rows = tableRows(initial, { ...options, now: options.now() });
      widths = columnWidths(rows);
      if (!isTable(options))
        initial.forEach((job) => log(formatJobs([job], { ...options, now: options.now() }, true)));
      else log(alignColumns(initial.length > 0 ? rows : rows.slice(0, 1), widths).join('\n'));
      continue;
    }
    if (widths === undefined) {
      initial.push(event.job);
      continue;
    }
    const printOptions = { ...options, now: options.now() };
    if (!isTable(options)) log(formatJobs([event.job], printOptions, true));
    else log(alignColumns(tableRows([event.job], printOptions).slice(1), widths).join('\n'));
  }
}

function isTable(options: { format: string }): boolean {
  return options.format === 'table' || options.format === 'wide';
}
