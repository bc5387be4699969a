import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import type { BackendReport } from '../../../../worker/index.js';
import { nativeMissing } from '../../../worker/tf/helpers.js';

/** What `baclctl backend list --json` prints. */
interface BackendList {
  backends: BackendReport[];
  auto: string;
}

const root = fileURLToPath(new URL('../../../..', import.meta.url));

describe('baclctl backend list', function () {
  this.timeout(120_000);
  before(function () {
    process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
  });

  it('self-tests every backend against cpu and says which one auto picks', async function () {
    const { stdout, error } = await runCommand<BackendList>(['backend', 'list', '--json'], { root });
    expect(error).to.equal(undefined);
    const parsed = JSON.parse(stdout) as BackendList;
    const byName = Object.fromEntries((parsed.backends ?? []).map((r) => [r.backend, r]));
    expect(Object.keys(byName)).to.have.members(['tensorflow', 'wasm', 'cpu']);
    for (const name of ['wasm', 'cpu']) {
      expect(byName[name]?.ok, name).to.equal(true);
      expect(byName[name]?.maxRelativeError).to.be.below(1e-4);
    }
    if (nativeMissing === undefined) {
      expect(byName['tensorflow']?.ok).to.equal(true);
      expect(byName['tensorflow']?.detail).to.match(
        /TensorFlow 2\.21\.0, (CPU only|GPU), \d+ intra-op thread/,
      );
      expect(parsed.auto).to.equal('tensorflow');
    } else {
      expect(byName['tensorflow']?.available).to.equal(false);
      expect(byName['tensorflow']?.detail).to.match(/Try this: baclctl backend install/);
      expect(parsed.auto).to.equal('wasm');
    }
  });

  it('prints a table with one row per backend and the auto line', async function () {
    const { stdout } = await runCommand(['backend', 'list'], { root });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^BACKEND\s+STATUS\s+SELF-TEST\s+DETAILS$/);
    expect(lines.slice(1, 4).map((line) => line.split(/\s+/)[0])).to.deep.equal([
      'tensorflow',
      'wasm',
      'cpu',
    ]);
    expect(lines[4]).to.match(/^auto picks (tensorflow|wasm); this environment asks for /);
  });
});
