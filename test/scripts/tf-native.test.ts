// scripts/tf-native.sh's own checks, run as a user would: no network, no build (those are CI's install step and
// baclctl backend install's test).
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { makeWorkDir } from '../harness/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts', 'tf-native.sh');

/** A PATH holding only the tools named (found on this machine's PATH), so the others are "missing". */
function pathWith(dir: string, tools: string[]): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of tools) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found !== '') symlinkSync(found, join(bin, tool));
  }
  return bin;
}

describe('scripts/tf-native.sh', function () {
  this.timeout(60_000);

  it('fails at once, before fetching anything, naming the packages to install when the toolchain is missing', function () {
    const dir = makeWorkDir('tf-native-toolchain');
    const coreutils = [
      'bash',
      'dirname',
      'cat',
      'ls',
      'head',
      'tail',
      'sed',
      'rm',
      'mkdir',
      'nproc',
      'cmp',
      'cp',
    ];
    const run = spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { HOME: dir, PATH: pathWith(dir, coreutils), BACL_CACHE_DIR: join(dir, 'cache') },
    });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain(
      '[tf-native] error: missing build tools: python3 g++ make. Try this: apt-get install -y python3 g++ make',
    );
    expect(run.stderr).to.not.contain('installing');
  });

  it('rejects an unknown argument with its usage', function () {
    const run = spawnSync('bash', [script, '--cuda'], { encoding: 'utf8' });
    expect(run.status).to.equal(2);
    expect(run.stderr).to.contain('usage: scripts/tf-native.sh [--gpu] [--vendor]');
  });

  it('prints its documentation for --help', function () {
    const run = spawnSync('bash', [script, '--help'], { encoding: 'utf8' });
    expect(run.status).to.equal(0);
    expect(run.stdout).to.contain('~/.cache/bacl/tf/<tf>-<cpu|gpu>/venv/');
  });
});
