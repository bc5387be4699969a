// @ts-check
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
  prettier,
);
