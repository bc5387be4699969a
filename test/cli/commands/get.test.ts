import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { printWatch, JobsApi, followJobs } from '../../../cli/internal.js';
import { waitFor } from '../../harness/index.js';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';
import { runningStatus, succeededStatus } from '../statuses.js';

describe('baclctl get (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-get');
    await kube.createJob('alpha');
    await kube.createJob('beta');
    await kube.createJob('gamma');
    await kube.writeStatus('alpha', runningStatus());
    await kube.writeStatus('beta', succeededStatus());
  });

  const get = (...args: string[]) => runCommand(['get', ...args, ...kube.target], { root: cliRoot });

  /** Each line up to the AGE column: AGE itself moves between two invocations, the rest must match. */
  const beforeAge = (text: string) => {
    const lines = text.trimEnd().split('\n');
    const ageAt = lines[0]?.indexOf('AGE') ?? -1;
    expect(ageAt).to.be.greaterThan(0);
    return lines.map((line) => line.slice(0, ageAt));
  };

  for (const wide of [false, true]) {
    it(`prints what kubectl get bacljobs${wide ? ' -o wide' : ''} prints, character for character`, async function () {
      const extra = wide ? ['-o', 'wide'] : [];
      const ours = await get(...extra);
      expect(ours.error).to.equal(undefined);
      const theirs = await kube.cluster.kubectl(['get', 'bacljobs', '-n', kube.namespace, ...extra]);
      expect(theirs.code, theirs.stderr).to.equal(0);
      expect(beforeAge(ours.stdout)).to.deep.equal(beforeAge(theirs.stdout));
      expect(ours.stdout).to.contain('0.2631'); // the comparison covered a job with results
    });
  }

  it('-A adds the NAMESPACE column, as kubectl get -A', async function () {
    const ours = await runCommand(['get', '-A', '--kubeconfig', kube.cluster.kubeconfigPath], {
      root: cliRoot,
    });
    const theirs = await kube.cluster.kubectl(['get', 'bacljobs', '-A']);
    const ourLines = beforeAge(ours.stdout).filter((line) => /^(NAMESPACE|cli-get)/.test(line));
    const theirLines = beforeAge(theirs.stdout).filter((line) => /^(NAMESPACE|cli-get)/.test(line));
    // Other test files' namespaces may widen the columns differently at different moments: compare cells.
    const cells = (lines: string[]) => lines.map((line) => line.trim().split(/\s+/));
    expect(cells(ourLines)).to.deep.equal(cells(theirLines));
    expect(ourLines[0]?.startsWith('NAMESPACE')).to.equal(true);
  });

  it('-o json of one job prints the object the API returns', async function () {
    const { stdout } = await get('beta', '-o', 'json');
    expect(JSON.parse(stdout)).to.deep.equal(await kube.getJob('beta'));
  });

  it('-o name prints bacljob.bacl.dev/<name> per job', async function () {
    const { stdout } = await get('-o', 'name');
    expect(stdout.trim().split('\n')).to.deep.equal([
      'bacljob.bacl.dev/alpha',
      'bacljob.bacl.dev/beta',
      'bacljob.bacl.dev/gamma',
    ]);
  });

  it('refuses a job name with -A (a name needs one namespace) as a usage error', async function () {
    const { error } = await runCommand(['get', 'alpha', '-A', '--kubeconfig', kube.cluster.kubeconfigPath], {
      root: cliRoot,
    });
    expect(error?.oclif?.exit).to.equal(2);
    expect(error?.message).to.equal('a job name needs one namespace, not -A');
  });

  it('answers a missing job with exit 3 and the server message', async function () {
    const { error } = await get('nope');
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.code).to.equal('NOT_FOUND');
    expect(error?.message).to.equal('bacljobs.bacl.dev "nope" not found');
  });

  it('says "No resources found" on stderr for an empty namespace', async function () {
    const { stdout, stderr } = await runCommand(
      ['get', '--kubeconfig', kube.cluster.kubeconfigPath, '-n', 'empty-ns'],
      { root: cliRoot },
    );
    expect(stdout).to.equal('');
    expect(stderr.trim()).to.equal('No resources found in empty-ns namespace.');
  });

  it('-w prints the table, then a row per change, and stops when aborted', async function () {
    const lines: string[] = [];
    const abort = new AbortController();
    const api = new JobsApi(kube.cluster.kubeConfig());
    const events = followJobs(kube.cluster.kubeConfig(), api, {
      namespace: kube.namespace,
      name: 'gamma',
      signal: abort.signal,
    });
    const printing = printWatch(events, { format: 'table', now: () => new Date() }, (text) =>
      lines.push(text),
    );
    await waitFor('the first watch line', () => lines.length === 1, { intervalMs: 50 });
    expect(lines[0]?.split('\n')[1]?.split(/\s+/)[0]).to.equal('gamma');
    await kube.writeStatus('gamma', runningStatus(100));
    await kube.writeStatus('gamma', runningStatus(200));
    await waitFor('a line at 20%', () => lines.some((line) => line.includes('20%')), { intervalMs: 50 });
    abort.abort();
    await printing; // returns, no error, once aborted
    const rows = lines.slice(1).map((line) => line.split(/\s+/));
    expect(rows.map((cells) => cells[4])).to.deep.equal(['10%', '20%']);
    expect(rows.every((cells) => cells[0] === 'gamma' && cells[2] === 'Running')).to.equal(true);
  });
});
