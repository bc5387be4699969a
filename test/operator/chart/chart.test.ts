import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { packageRoot } from '../../../common/index.js';
import {
  renderValuesSchema,
  chartValuesSchema,
  valuesPath,
  valuesSchemaPath,
} from '../../../operator/internal.js';

// Checks that need no rendering (helm.test.ts renders and installs with the real helm): the generated schema is current,
// values.yaml states the schema's defaults, every value a template reads exists, and every file is YAML
// (templates keep their actions in quoted scalars and comments; see docs/adr/0017-helm-chart.md).

const root = packageRoot();
const chartDir = join(root, 'charts/bacl-operator');
const templates = readdirSync(join(chartDir, 'templates'));

describe('charts/bacl-operator', function () {
  it('values.schema.json is what `npm run generate` writes from operator/chart/values.ts', async function () {
    const committed = readFileSync(join(root, valuesSchemaPath), 'utf8');
    expect(committed, `${valuesSchemaPath} is stale: run npm run generate`).to.equal(
      await renderValuesSchema(root),
    );
  });

  it('values.yaml states exactly the schema defaults', function () {
    const values: unknown = parse(readFileSync(join(root, valuesPath), 'utf8'));
    expect(chartValuesSchema.parse(values)).to.deep.equal(chartValuesSchema.parse({}));
    expect(values).to.deep.equal(chartValuesSchema.parse({}));
  });

  it('the schema refuses what a template could not render', function () {
    expect(chartValuesSchema.safeParse({ replicaCount: 0 }).success).to.equal(false);
    expect(chartValuesSchema.safeParse({ image: { tags: 'x' } }).success, 'a misspelt key').to.equal(false);
    expect(chartValuesSchema.safeParse({ logLevel: 'loud' }).success).to.equal(false);
  });

  it('every .Values path a template reads exists in the defaults', function () {
    const defaults = chartValuesSchema.parse({}) as Record<string, unknown>;
    const missing: string[] = [];
    for (const file of templates) {
      const text = readFileSync(join(chartDir, 'templates', file), 'utf8');
      for (const [, path = ''] of text.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)) {
        let node: unknown = defaults;
        for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
        if (node === undefined) missing.push(`${file}: .Values.${path}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('every manifest template is YAML with the kinds the operator needs', function () {
    const kinds: string[] = [];
    for (const file of templates.filter((name) => name.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(chartDir, 'templates', file), 'utf8'))) {
        expect(doc.errors, file).to.deep.equal([]);
        kinds.push(String((doc.toJS() as { kind?: string }).kind));
      }
    }
    expect(kinds).to.include.members([
      'Deployment',
      'ServiceAccount',
      '{{ if .Values.watchNamespace }}Role{{ else }}ClusterRole{{ end }}',
      'Role',
      'RoleBinding',
    ]);
  });
});
