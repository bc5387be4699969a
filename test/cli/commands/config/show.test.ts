import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

describe('baclctl config show', function () {
  this.timeout(30_000);
  let dir: string;

  before(function () {
    process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
    dir = mkdtempSync(join(tmpdir(), 'bacl-cli-config-'));
    writeFileSync(join(dir, 'base.yaml'), 'model: {depth: 50, channels: 256}\nstages: [a, b]\n');
    writeFileSync(join(dir, 'job.yaml'), '_base_: base.yaml\nmodel: {depth: 101}\n');
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const show = (...args: string[]) => runCommand(['config', 'show', ...args], { root });

  it('prints the effective config as YAML, inheritance and overrides applied', async function () {
    const { stdout, error } = await show(join(dir, 'job.yaml'), '--set', 'model.channels=128');
    expect(error).to.equal(undefined);
    expect(parse(stdout)).to.deep.equal({ model: { depth: 101, channels: 128 }, stages: ['a', 'b'] });
  });

  it('prints JSON with -o json', async function () {
    const { stdout } = await show(join(dir, 'job.yaml'), '-o', 'json');
    expect(JSON.parse(stdout)).to.deep.equal({ model: { depth: 101, channels: 256 }, stages: ['a', 'b'] });
  });

  it('answers an unknown config with exit 3, code NOT_FOUND and a Try this line', async function () {
    const { error } = await show('no-such-config');
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.code).to.equal('NOT_FOUND');
    expect(error?.message).to.contain('no config named "no-such-config"');
    expect((error as { suggestions?: string[] } | undefined)?.suggestions).to.have.length(1);
  });

  it('answers a bad --set path with exit 4 and names the override and the field', async function () {
    const { error } = await show(join(dir, 'job.yaml'), '--set', 'model.depth.x=1');
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.code).to.equal('CONFIG_INVALID');
    expect(error?.message).to.equal(
      '--set model.depth.x=1 model.depth: cannot set a field inside a plain value',
    );
  });

  it('answers a missing argument with the usage exit code 2', async function () {
    const { error } = await show();
    expect(error?.oclif?.exit).to.equal(2);
  });

  it('lists examples in its help', async function () {
    const { stdout } = await runCommand(['config', 'show', '--help'], { root });
    expect(stdout).to.contain('EXAMPLES');
    expect(stdout).to.contain('$ baclctl config show lvis_v1 --set schedule.representation.epochs=2');
  });
});
