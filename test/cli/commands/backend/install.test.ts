import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { nativeMissing } from '../../../worker/tf/helpers.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

describe('baclctl backend install', function () {
  this.timeout(120_000);
  before(function () {
    process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
  });

  it('is listed under baclctl backend --help', async function () {
    const { stdout } = await runCommand(['backend', '--help'], { root });
    expect(stdout).to.match(/backend install\s+Build and link the native TensorFlow backend/);
    expect(stdout).to.match(/backend list\s+List the tfjs backends/);
  });

  // With the build cached (CI installs it first), a second install only re-checks, re-links and loads it.
  it('runs scripts/tf-native.sh, which finds the cached build and loads it', async function () {
    if (nativeMissing !== undefined) this.skip();
    const { result, stderr, error } = await runCommand<{ variant: string; ready: string }>(
      ['backend', 'install'],
      {
        root,
      },
    );
    expect(error).to.equal(undefined);
    expect(result?.variant).to.equal('cpu');
    expect(result?.ready).to.match(
      /^ready in \d+ s: @tensorflow\/tfjs-node 4\.22\.0 on TensorFlow .*"tf":"2\.21\.0"/,
    );
    expect(stderr).to.not.match(/installing|building/);
  });

  it('rejects an unknown flag with the usage exit code', async function () {
    const { error } = await runCommand(['backend', 'install', '--cuda'], { root });
    expect(error?.oclif?.exit).to.equal(2);
  });
});
