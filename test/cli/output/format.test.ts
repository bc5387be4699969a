import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { packageRoot, type BaclJob } from '../../../common/index.js';
import { printerColumns, formatJobs, resourceName, alignColumns } from '../../../cli/internal.js';

const now = new Date('2026-11-25T12:00:00Z');

function job(name: string, status?: BaclJob['status'], namespace = 'ml'): BaclJob {
  return {
    apiVersion: 'bacl.dev/v1alpha1',
    kind: 'BaclJob',
    metadata: { name, namespace, creationTimestamp: '2026-11-25T11:15:00Z' },
    spec: {} as BaclJob['spec'],
    ...(status ? { status } : {}),
  };
}

const running = job('lvis-a', {
  stage: 'classifier',
  state: 'Running',
  restarts: 1,
  workers: { desired: 2, ready: 2, active: 2, succeeded: 0, failed: 0, summary: '2/2' },
  progress: { stage: 'classifier', step: 42, totalSteps: 100, percent: 42, loss: 0.81, summary: '42%' },
  results: { AP: 0.2631, APr: 0.1874, uri: 's3://b/m.json' },
});

describe('cli/output: printers', function () {
  it('uses the printer columns of the committed CRD, in order, with their priorities', function () {
    const crd = parse(
      readFileSync(join(packageRoot(), 'charts/bacl-operator/crds/bacljobs.bacl.dev.yaml'), 'utf8'),
    ) as { spec: { versions: { additionalPrinterColumns: Record<string, unknown>[] }[] } };
    const fromCrd = crd.spec.versions[0]?.additionalPrinterColumns.map((column) => ({
      name: column.name,
      type: column.type,
      jsonPath: column.jsonPath,
      priority: column.priority ?? 0,
    }));
    expect(printerColumns.map((column) => ({ ...column, priority: column.priority ?? 0 }))).to.deep.equal(
      fromCrd,
    );
  });

  it('prints a kubectl table: empty cells for a job without status, AGE last', function () {
    const text = formatJobs([running, job('fresh')], { format: 'table', now });
    expect(text.split('\n')).to.deep.equal([
      'NAME     STAGE        STATE     WORKERS   PROGRESS   AP       APR      AGE',
      'lvis-a   classifier   Running   2/2       42%        0.2631   0.1874   45m',
      'fresh                                                                  45m',
    ]);
  });

  it('-o wide adds RESTARTS and LOSS before AGE; -A adds NAMESPACE first', function () {
    const [header, row] = formatJobs([running], { format: 'wide', now, allNamespaces: true }).split('\n');
    expect(header?.split(/\s+/)).to.deep.equal([
      'NAMESPACE',
      'NAME',
      'STAGE',
      'STATE',
      'WORKERS',
      'PROGRESS',
      'AP',
      'APR',
      'RESTARTS',
      'LOSS',
      'AGE',
    ]);
    expect(row?.split(/\s+/)).to.deep.equal([
      'ml',
      'lvis-a',
      'classifier',
      'Running',
      '2/2',
      '42%',
      '0.2631',
      '0.1874',
      '1',
      '0.81',
      '45m',
    ]);
  });

  it('-o name prints bacljob.bacl.dev/<name>, one per line', function () {
    expect(formatJobs([running, job('fresh')], { format: 'name', now })).to.equal(
      'bacljob.bacl.dev/lvis-a\nbacljob.bacl.dev/fresh',
    );
    expect(resourceName(running)).to.equal('bacljob.bacl.dev/lvis-a');
  });

  it('-o json/yaml print the object for one named job and a v1 List otherwise', function () {
    expect(JSON.parse(formatJobs([running], { format: 'json', now }, true))).to.deep.equal(running);
    const list = parse(formatJobs([running, job('fresh')], { format: 'yaml', now })) as {
      kind: string;
      items: BaclJob[];
    };
    expect(list.kind).to.equal('List');
    expect(list.items.map((item) => item.metadata.name)).to.deep.equal(['lvis-a', 'fresh']);
  });

  it('aligns like Go tabwriter: minimum width 6, padding 3, last column unpadded', function () {
    expect(
      alignColumns([
        ['A', 'BB', 'C'],
        ['longer-name', '', 'x'],
      ]),
    ).to.deep.equal(['A             BB    C', 'longer-name         x']);
  });
});
