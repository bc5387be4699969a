import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const root = fileURLToPath(new URL('..', import.meta.url));
const execFileAsync = promisify(execFile);

/** Runs a bin as a user would (a child process with the Node 22 on PATH); never throws on a non-zero exit. */
async function runBin(
  bin: string,
  args: string[],
  node = process.execPath,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(node, [`${root}/bin/${bin}`, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('bin/', function () {
  this.timeout(30_000);

  for (const bin of ['run.js', 'dev.js']) {
    it(`baclctl (${bin}) with no arguments lists its topics and commands`, async function () {
      const args = bin === 'dev.js' ? ['--import', 'tsx', `${root}/bin/dev.js`] : [`${root}/bin/run.js`];
      const { stdout } = await execFileAsync(process.execPath, args, { cwd: root });
      expect(stdout).to.contain('USAGE\n  $ baclctl [COMMAND]');
      expect(stdout).to.match(/TOPICS\n {2}backend +The tfjs backends/);
      expect(stdout).to.match(/\n {2}config +Inspect training configs/);
      expect(stdout).to.match(/\n {2}help +Display help for baclctl\./);
      expect(stdout).to.match(/\n {2}submit +Create a BaclJob from a config/);
    });
  }

  it('baclctl --version names the package and the Node it runs on', async function () {
    const { code, stdout } = await runBin('run.js', ['--version']);
    expect(code).to.equal(0);
    expect(stdout).to.match(/^bacl\/\d+\.\d+\.\d+ \S+ node-v22\./);
  });

  for (const name of ['bacl-operator', 'bacl-worker']) {
    it(`${name} --help prints its usage and exits 0`, async function () {
      const { code, stdout } = await runBin(`${name}.js`, ['--help']);
      expect(code).to.equal(0);
      expect(stdout).to.contain(`Usage: ${name} [flags]`);
    });

    it(`${name} refuses an unknown flag with exit 2 and a "Try this" line`, async function () {
      const { code, stderr } = await runBin(`${name}.js`, ['--no-such-flag']);
      expect(code).to.equal(2);
      expect(stderr).to.contain("Unknown option '--no-such-flag'");
      expect(stderr).to.contain(`Try this: ${name} --help`);
    });
  }

  it('says what to do when started on a Node older than 22', async function () {
    const oldNode = '/usr/bin/node';
    const version = await execFileAsync(oldNode, ['--version']).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    );
    if (!version || Number(version.slice(1).split('.')[0]) >= 22) this.skip(); // needs an old Node to run under
    const { code, stderr } = await runBin('run.js', ['--help'], oldNode);
    expect(code).to.equal(1);
    expect(stderr).to.contain(`bacl needs Node 22; this is Node ${version.slice(1)}`);
    expect(stderr).to.contain('Try this:');
  });
});
