// The purity rules of eslint.config.js, run on throwaway code: each forbidden import in each guarded folder
// is reported, and a type-only import is not. If a rule stops matching (renamed package, moved folder, a
// later config entry overriding it), this test fails instead of the rule going quiet.
import { join } from 'node:path';
import { expect } from 'chai';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { packageRoot } from '../../common/index.js';

const rule = '@typescript-eslint/no-restricted-imports';
// The type-aware rules need a program, which a file that is not on disk has no place in; the purity rules
// do not need types, so the test lints without them.
const root = packageRoot();
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** The purity-rule messages ESLint reports for `code` as if it were the file `path` (relative to the repo). */
async function purityErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === rule).map((m) => m.message);
}

describe('eslint purity rules', function () {
  this.timeout(120_000);

  describe('operator/reconcile: client-node types only', function () {
    const path = 'operator/reconcile/purity-probe.ts';

    it('refuses a value import of @kubernetes/client-node', async function () {
      const errors = await purityErrors(
        path,
        "import { CoreV1Api } from '@kubernetes/client-node';\nexport const api = CoreV1Api;\n",
      );
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(/reconcile core is pure/);
    });

    it('allows a type import of @kubernetes/client-node', async function () {
      const errors = await purityErrors(
        path,
        "import type { V1Pod } from '@kubernetes/client-node';\nexport const pods: V1Pod[] = [];\n",
      );
      expect(errors).to.deep.equal([]);
    });

    it('leaves operator/controller free to call the API', async function () {
      const errors = await purityErrors(
        'operator/controller/purity-probe.ts',
        "import { CoreV1Api } from '@kubernetes/client-node';\nexport const api = CoreV1Api;\n",
      );
      expect(errors).to.deep.equal([]);
    });
  });

  const forbidden = [
    "import { connect } from '@nats-io/transport-node';\nexport const used = connect;\n",
    "import { S3Client } from '@aws-sdk/client-s3';\nexport const used = S3Client;\n",
    "import { readFileSync } from 'node:fs';\nexport const used = readFileSync;\n",
    "import { readFile } from 'node:fs/promises';\nexport const used = readFile;\n",
    "import { createServer } from 'node:net';\nexport const used = createServer;\n",
    "import { spawn } from 'node:child_process';\nexport const used = spawn;\n",
  ];
  for (const folder of ['worker/model', 'data/eval']) {
    describe(`${folder}: no I/O`, function () {
      const path = `${folder}/deep/purity-probe.ts`;
      for (const code of forbidden) {
        const module = /from '([^']+)'/.exec(code)?.[1];
        it(`refuses importing ${module}`, async function () {
          const errors = await purityErrors(path, code);
          expect(errors).to.have.length(1);
          expect(errors[0]).to.include(folder);
        });
      }

      it('allows a type import (a parameter typed by the SDK)', async function () {
        const errors = await purityErrors(
          path,
          "import type { S3Client } from '@aws-sdk/client-s3';\nexport const clients: S3Client[] = [];\n",
        );
        expect(errors).to.deep.equal([]);
      });
    });
  }
});
