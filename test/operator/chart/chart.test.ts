import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { packageRoot } from '../../../common/index.js';
import {
  renderValuesSchema,
  chartValuesSchema,
  valuesJsonSchema,
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

  it('every .Values path a template reads is in the schema', function () {
    // Through values.schema.json: a path into an object that allows more keys (the nats chart's values) is
    // fine, any other path must be a declared property.
    interface Node {
      properties?: Record<string, Node>;
      additionalProperties?: unknown;
    }
    const schema = valuesJsonSchema() as Node;
    const known = (path: string) => {
      let node: Node | undefined = schema;
      for (const key of path.split('.')) {
        if (node?.properties?.[key]) node = node.properties[key];
        else
          return node !== undefined && node.additionalProperties !== false && node.properties !== undefined;
      }
      return true;
    };
    const missing: string[] = [];
    const paths: string[] = [];
    for (const file of templates) {
      const text = readFileSync(join(chartDir, 'templates', file), 'utf8');
      for (const [, path = ''] of text.matchAll(/\.Values\.([A-Za-z0-9_.]+)/g)) {
        paths.push(path);
        if (!known(path)) missing.push(`${file}: .Values.${path}`);
      }
    }
    expect(missing).to.deep.equal([]);
    expect(known('image.tags'), 'the check itself refuses an unknown key').to.equal(false);
    expect(paths).to.include.members([
      'networkPolicy.enabled',
      'nats.enabled',
      'metrics.serviceMonitor.enabled',
    ]);
  });

  it('every manifest template is YAML with the kinds the operator needs', function () {
    const kinds: string[] = [];
    for (const file of templates.filter((name) => name.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(chartDir, 'templates', file), 'utf8'))) {
        expect(doc.errors, file).to.deep.equal([]);
        const manifest = doc.toJS() as { kind?: string } | null;
        if (manifest !== null) kinds.push(String(manifest.kind));
      }
    }
    expect(kinds).to.include.members([
      'Deployment',
      'ServiceAccount',
      '{{ if .Values.watchNamespace }}Role{{ else }}ClusterRole{{ end }}',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'NetworkPolicy',
      'Service',
      'ServiceMonitor',
    ]);
  });
});
