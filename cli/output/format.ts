import { stringify } from 'yaml';
import { baclJobResource, type BaclJob } from '../../common/index.js';
import { formatAge } from './age.js';
import { cellText, printerColumns } from './columns.js';
import { alignColumns } from './table.js';

/** kubectl's -o formats that make sense for BaclJobs. */
export const outputFormats = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface PrintOptions {
  format: OutputFormat;
  /** Adds the NAMESPACE column first, as `kubectl get -A`. */
  allNamespaces?: boolean;
  /** The clock AGE is measured against. */
  now: Date;
}

/** `bacljob.bacl.dev/<name>`: what `-o name` prints and what other kubectl commands accept. */
export function resourceName(job: Pick<BaclJob, 'metadata'>): string {
  return `${baclJobResource.singular}.${baclJobResource.group}/${job.metadata.name}`;
}

/** The header and rows of a job table, unaligned (get -w prints rows one at a time with the same widths). */
export function tableRows(jobs: readonly BaclJob[], options: PrintOptions): string[][] {
  const wide = options.format === 'wide';
  const columns = printerColumns.filter((column) => wide || (column.priority ?? 0) === 0);
  const header = [
    ...(options.allNamespaces ? ['NAMESPACE'] : []),
    'NAME',
    ...columns.map((column) => column.name.toUpperCase()),
  ];
  const rows = jobs.map((job) => [
    ...(options.allNamespaces ? [job.metadata.namespace ?? ''] : []),
    job.metadata.name,
    ...columns.map((column) => cellText(job, column, (value) => formatAge(value, options.now))),
  ]);
  return [header, ...rows];
}

/**
 * Prints jobs in one of kubectl's formats. `single` is true when the user named one job: JSON and YAML then
 * print the object itself, otherwise a `List` (as `kubectl get -o json` does).
 */
export function formatJobs(jobs: readonly BaclJob[], options: PrintOptions, single = false): string {
  switch (options.format) {
    case 'name':
      return jobs.map(resourceName).join('\n');
    case 'json':
      return JSON.stringify(single ? jobs[0] : asList(jobs), null, 4);
    case 'yaml':
      return stringify(single ? jobs[0] : asList(jobs)).trimEnd();
    default:
      return alignColumns(tableRows(jobs, options)).join('\n');
  }
}

function asList(jobs: readonly BaclJob[]) {
  return { apiVersion: 'v1', kind: 'List', items: jobs, metadata: { resourceVersion: '' } };
}
