// @ts-check
import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** The architecture rule: cli/, operator/, worker/, common/ and data/ reach each other only through index.ts. */
const parts = ['cli', 'operator', 'worker', 'common', 'data'];
const boundaryRules = parts.map((part) => ({
  files: [`${part}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: parts
          .filter((other) => other !== part)
          .map((other) => ({
            group: [`**/${other}/*`, `!**/${other}/index.js`],
            message: `Import ${other}/ through its public ${other}/index.js, never its internals.`,
          })),
      },
    ],
  },
}));

/**
 * Purity: the reconcile core decides without talking to Kubernetes, and the model and the evaluator compute
 * without I/O, so all three are tested as pure functions. Types from the client libraries stay allowed (the
 * reconcile core works on client-node's V1Pod). test/lint/purity.test.ts keeps these rules from silently
 * stopping to work. A separate rule name from the boundary rule, so the two never override each other.
 */
const noIo = (where) => [
  {
    regex: '^(@nats-io/.*|nats|@aws-sdk/.*|(node:)?fs(/.*)?)$',
    allowTypeImports: true,
    message: `${where} does no I/O of its own (no NATS, S3, files): take the data or a callback as a parameter.`,
  },
  {
    regex: '^(node:)?(net|child_process)$',
    allowTypeImports: true,
    message: `${where} opens no sockets and starts no processes: the runtime around it does.`,
  },
];
const purityRules = [
  {
    files: ['operator/reconcile/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kubernetes/client-node',
              allowTypeImports: true,
              message:
                'The reconcile core is pure: import client-node types only (import type); API calls belong in operator/controller/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['worker/model/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: noIo('worker/model') }] },
  },
  {
    files: ['data/eval/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: noIo('data/eval') }] },
  },
];

/**
 * Tests and benchmarks reach a part through one of its two entries: `<part>/index.js` (what other parts use)
 * or `<part>/internal.js` (internals, for tests and benchmarks only: the nats.js "./internal" pattern). The
 * rule resolves the import against the file's folder, so `test/operator/fixtures.js` (a test helper) is not
 * mistaken for the operator's source.
 */
const entryRule = {
  meta: {
    type: /** @type {const} */ ('problem'),
    messages: {
      deep: 'Import {{part}}/ through {{part}}/index.js, or {{part}}/internal.js for internals; never {{path}}.',
    },
    schema: [],
  },
  /** @param {import('eslint').Rule.RuleContext} context */
  create(context) {
    /** @param {any} source */
    const check = (source) => {
      const spec = source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = relative(import.meta.dirname, resolve(dirname(context.filename), spec));
      const [part, ...rest] = target.split(sep);
      if (!part || !parts.includes(part) || rest.length === 0) return;
      const sub = rest.join('/');
      if (sub === 'index.js' || sub === 'internal.js') return;
      context.report({ node: source, messageId: 'deep', data: { part, path: `${part}/${sub}` } });
    };
    return {
      /** @param {any} node */
      ImportDeclaration: (node) => check(node.source),
      /** @param {any} node */
      ExportNamedDeclaration: (node) => check(node.source),
      /** @param {any} node */
      ExportAllDeclaration: (node) => check(node.source),
      /** @param {any} node */
      ImportExpression: (node) => check(node.source),
    };
  },
};
const entryRules = [
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    plugins: { bacl: { rules: { 'part-entry': entryRule } } },
    rules: { 'bacl/part-entry': 'error' },
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  ...boundaryRules,
  ...purityRules,
  ...entryRules,
  prettier,
);
