// The entry rule of eslint.config.js (bacl/part-entry), run on throwaway code: tests and benchmarks reach a
// part through its index.js or internal.js only. If the rule stops matching, this test fails instead of deep
// imports creeping back.
import { join } from 'node:path';
import { expect } from 'chai';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { packageRoot } from '../../common/index.js';

const root = packageRoot();
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** The bacl/part-entry messages for `code` linted as the file `path` (relative to the repo). */
async function entryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'bacl/part-entry').map((m) => m.message);
}

describe('eslint entry rule: tests and benchmarks import a part through index.js or internal.js', function () {
  this.timeout(120_000);

  for (const path of ['test/worker/model/entry-probe.test.ts', 'bench/entry-probe.bench.ts']) {
    it(`refuses a deep import in ${path.split('/')[0]}/`, async function () {
      const up = '../'.repeat(path.split('/').length - 1);
      const errors = await entryErrors(
        path,
        `import { podName } from '${up}operator/reconcile/naming.js';\nexport const used = podName;\n`,
      );
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include('operator/reconcile/naming.js');
    });
  }

  it('refuses a deep dynamic import', async function () {
    const errors = await entryErrors(
      'test/data/entry-probe.test.ts',
      "export const loaded = await import('../../data/eval/evaluate.js');\n",
    );
    expect(errors).to.have.length(1);
  });

  it('allows index.js, internal.js and the test tree’s own helpers', async function () {
    const errors = await entryErrors(
      'test/cli/entry-probe.test.ts',
      [
        "import { packageRoot } from '../../common/index.js';",
        "import { podName } from '../../operator/internal.js';",
        "import { minimalJob } from '../operator/fixtures.js';",
        'export const used = [packageRoot, podName, minimalJob];',
        '',
      ].join('\n'),
    );
    expect(errors).to.deep.equal([]);
  });
});
