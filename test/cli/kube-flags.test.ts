import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors } from '@oclif/core';
import { expect } from 'chai';
import { kubeTarget } from '../../cli/internal.js';

const kubeconfig = (contexts: { name: string; namespace?: string }[], current: string) =>
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c1',
    '  cluster: {server: "https://127.0.0.1:6443"}',
    'users:',
    '- name: u1',
    '  user: {token: abc}',
    'contexts:',
    ...contexts.map(
      (context) =>
        `- name: ${context.name}\n  context: {cluster: c1, user: u1${context.namespace ? `, namespace: ${context.namespace}` : ''}}`,
    ),
    `current-context: ${current}`,
    '',
  ].join('\n');

describe('cli/kube-flags: kubeTarget', function () {
  let dir: string;
  let savedKubeconfig: string | undefined;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'bacl-kubeconfig-'));
    savedKubeconfig = process.env.KUBECONFIG;
  });
  afterEach(function () {
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('takes the namespace from -n, else the context, else "default"', function () {
    const path = write('a', kubeconfig([{ name: 'train', namespace: 'ml' }, { name: 'bare' }], 'train'));
    expect(kubeTarget({ kubeconfig: path }).namespace).to.equal('ml');
    expect(kubeTarget({ kubeconfig: path, namespace: 'other' }).namespace).to.equal('other');
    expect(kubeTarget({ kubeconfig: path, context: 'bare' }).namespace).to.equal('default');
    expect(kubeTarget({ kubeconfig: path, 'all-namespaces': true }).namespace).to.equal(undefined);
  });

  it('honours $KUBECONFIG when --kubeconfig is not given', function () {
    process.env.KUBECONFIG = write('env', kubeconfig([{ name: 'from-env', namespace: 'envns' }], 'from-env'));
    const target = kubeTarget({});
    expect(target.kubeConfig.getCurrentContext()).to.equal('from-env');
    expect(target.namespace).to.equal('envns');
  });

  it('refuses an unknown --context with exit 3 and lists the known ones', function () {
    const path = write('a', kubeconfig([{ name: 'one' }, { name: 'two' }], 'one'));
    try {
      kubeTarget({ kubeconfig: path, context: 'three' });
      expect.fail('expected an error');
    } catch (error) {
      expect(error).to.be.instanceOf(Errors.CLIError);
      const cli = error as Errors.CLIError;
      expect(cli.oclif.exit).to.equal(3);
      expect(cli.message).to.equal('no context "three" in the kubeconfig');
      expect(cli.suggestions).to.deep.equal(['one of: one, two']);
    }
  });

  it('refuses an unreadable kubeconfig with the usage exit code', function () {
    try {
      kubeTarget({ kubeconfig: join(dir, 'missing') });
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Errors.CLIError).oclif.exit).to.equal(2);
      expect((error as Error).message).to.contain(`cannot load the kubeconfig ${join(dir, 'missing')}`);
    }
  });
});
