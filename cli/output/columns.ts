import type { BaclJob } from '../../common/index.js';

// The CRD's printer columns (charts/bacl-operator/crds/bacljobs.bacl.dev.yaml), so `baclctl get` prints what
// `kubectl get bacljobs` prints. test/cli/output/columns.test.ts fails when the two lists drift apart.

export interface PrinterColumn {
  name: string;
  type: 'string' | 'number' | 'integer' | 'date';
  jsonPath: string;
  /** 1: only with -o wide (as kubectl). */
  priority?: number;
}

export const printerColumns: readonly PrinterColumn[] = [
  { name: 'Stage', type: 'string', jsonPath: '.status.stage' },
  { name: 'State', type: 'string', jsonPath: '.status.state' },
  { name: 'Workers', type: 'string', jsonPath: '.status.workers.summary' },
  { name: 'Progress', type: 'string', jsonPath: '.status.progress.summary' },
  { name: 'AP', type: 'number', jsonPath: '.status.results.AP' },
  { name: 'APr', type: 'number', jsonPath: '.status.results.APr' },
  { name: 'Restarts', type: 'integer', jsonPath: '.status.restarts', priority: 1 },
  { name: 'Loss', type: 'number', jsonPath: '.status.progress.loss', priority: 1 },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** Follows a simple `.a.b.c` JSONPath (all the printer columns use) into an object. */
export function valueAt(object: unknown, jsonPath: string): unknown {
  let node: unknown = object;
  for (const key of jsonPath.split('.').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A cell as kubectl renders a column value: absent is empty, numbers as Go's %v prints them. */
export function cellText(job: BaclJob, column: PrinterColumn, formatDate: (value: string) => string): string {
  const value = valueAt(job, column.jsonPath);
  if (value === undefined || value === null) return '';
  const text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : JSON.stringify(value);
  return column.type === 'date' ? formatDate(text) : text;
}
