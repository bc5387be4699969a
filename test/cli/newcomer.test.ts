import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { Config } from '@oclif/core';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { infraManifest } from '../harness/index.js';
import { cliKube, cliRoot, type CliKube } from './kube-fixture.js';

const execFileAsync = promisify(execFile);

/** What a newcomer types first: the bare command, then --help on everything it lists. */
describe('baclctl for a newcomer: topics, help with examples on every command, kubectl bacl', function () {
  this.timeout(180_000);

  before(function () {
    process.env.NODE_ENV = 'test';
  });

  it('baclctl with no arguments lists the topics and the commands', async function () {
    const { stdout } = await runCommand([], { root: cliRoot });
    expect(stdout).to.contain('TOPICS');
    expect(stdout).to.match(/^\s+config\s+Inspect training configs/m);
    expect(stdout).to.contain('COMMANDS');
    for (const id of ['submit', 'get', 'describe', 'logs', 'wait', 'delete', 'suspend', 'resume', 'eval']) {
      expect(stdout, id).to.match(new RegExp(`^\\s+${id}\\s+\\S`, 'm'));
    }
  });

  it('every command has --help with a summary, usage and examples that start with baclctl <command>', async function () {
    const config = await Config.load({ root: cliRoot });
    const ids = config.commands.map((command) => command.id).filter((id) => id !== 'help');
    expect(ids).to.include.members([
      'submit',
      'get',
      'describe',
      'logs',
      'wait',
      'delete',
      'suspend',
      'resume',
      'config:show',
      'eval',
    ]);
    for (const id of ids) {
      const words = id.split(':');
      const { stdout, error } = await runCommand([...words, '--help'], { root: cliRoot });
      expect(error, id).to.equal(undefined);
      expect(stdout, id).to.contain('USAGE');
      expect(stdout, id).to.contain('EXAMPLES');
      expect(stdout, id).to.contain(`$ baclctl ${words.join(' ')}`);
      expect(config.findCommand(id)?.summary, id).to.be.a('string').and.not.equal('');
    }
  });

  it('cluster commands take kubectl flags; get takes -o table|wide|json|yaml|name and -w', async function () {
    for (const id of ['get', 'describe', 'logs', 'wait', 'delete', 'suspend', 'resume', 'submit']) {
      const { stdout } = await runCommand([id, '--help'], { root: cliRoot });
      for (const flag of ['-n, --namespace=<value>', '--context=<value>', '--kubeconfig=<value>', '--json']) {
        expect(stdout, `${id} ${flag}`).to.contain(flag);
      }
    }
    const { stdout } = await runCommand(['get', '--help'], { root: cliRoot });
    expect(stdout).to.contain('-A, --all-namespaces');
    expect(stdout).to.contain('-o, --output=<option>');
    expect(stdout).to.contain('<options: table|wide|json|yaml|name>');
    expect(stdout).to.contain('-w, --watch');
  });

  it('answers an unknown command with exit 2 and the closest command, or where the list is', async function () {
    const typo = await runCommand(['sumbit', 'tiny'], { root: cliRoot });
    expect(typo.error?.oclif?.exit).to.equal(2);
    expect(typo.error?.code).to.equal('USAGE');
    expect(typo.error?.message).to.equal('"sumbit" is not a baclctl command');
    expect((typo.error as { suggestions?: string[] } | undefined)?.suggestions).to.deep.equal([
      'baclctl submit --help',
    ]);
    const unknown = await runCommand(['train'], { root: cliRoot });
    expect((unknown.error as { suggestions?: string[] } | undefined)?.suggestions).to.deep.equal([
      'baclctl --help lists the commands',
    ]);
  });

  describe('kubectl bacl (the kubectl-bacl bin on PATH, the harness kubectl)', function () {
    let kube: CliKube;
    let shimDir: string;

    before(async function () {
      kube = await cliKube('cli-kubectl-plugin');
      await kube.createJob('plugged');
      shimDir = mkdtempSync(join(tmpdir(), 'bacl-kubectl-plugin-'));
      // What npm's bin link does for the package's `kubectl-bacl` entry, pointed at the sources (no build).
      const shim = join(shimDir, 'kubectl-bacl');
      writeFileSync(
        shim,
        `#!/bin/sh\nexport NODE_ENV=development\nexec "${process.execPath}" --import tsx --disable-warning=ExperimentalWarning "${join(cliRoot, 'bin/dev.js')}" "$@"\n`,
      );
      chmodSync(shim, 0o755);
    });
    after(function () {
      rmSync(shimDir, { recursive: true, force: true });
    });

    /** kubectl itself, with KUBECONFIG (which the plugin must honour) and the shim first on PATH. */
    const kubectl = (args: string[]) =>
      execFileAsync(infraManifest().kubectl.bin, args, {
        cwd: cliRoot,
        env: {
          ...process.env,
          KUBECONFIG: kube.cluster.kubeconfigPath,
          PATH: `${shimDir}${delimiter}${process.env.PATH ?? ''}`,
        },
      });

    it('kubectl plugin list finds it', async function () {
      const { stdout } = await kubectl(['plugin', 'list']);
      expect(stdout).to.contain(join(shimDir, 'kubectl-bacl'));
    });

    it('kubectl bacl get -n NS lists the jobs, reading the cluster from $KUBECONFIG', async function () {
      const { stdout } = await kubectl(['bacl', 'get', '-n', kube.namespace, '-o', 'name']);
      expect(stdout.trim()).to.equal('bacljob.bacl.dev/plugged');
    });
  });
});
