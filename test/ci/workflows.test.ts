// The GitHub workflows, read as data (no runner here): they parse, every script, file and chart they name is
// in the repository, every baclctl command and flag they call exists (asked of the built CLI), and every
// helm --set of the kind run is a value the chart's schema takes.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { parse, parseAllDocuments } from 'yaml';
import { packageRoot } from '../../common/index.js';
import { chartValuesSchema } from '../../operator/internal.js';

const run = promisify(execFile);
const root = packageRoot();

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: unknown;
  env?: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

const load = (file: string) => parse(readFileSync(join(root, '.github/workflows', file), 'utf8')) as Workflow;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
/** The shell of every run step: continuations joined, the workflow's env values filled in, double quotes dropped. */
function shell(workflow: Workflow): string {
  let text = steps(workflow)
    .map((step) => step.run ?? '')
    .join('\n')
    .replace(/\\\n\s*/g, ' ');
  for (const [name, value] of Object.entries(workflow.env ?? {})) text = text.replaceAll(`$${name}`, value);
  return text.replaceAll('"', '');
}

describe('.github/workflows', function () {
  this.timeout(120_000);
  const ci = load('ci.yml');
  const e2e = load('e2e-kind.yml');

  it('parse, and every step runs a command or uses a pinned action', function () {
    for (const workflow of [ci, e2e]) {
      expect(workflow.on, workflow.name).to.not.equal(undefined);
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect(job['runs-on'], id).to.match(/^ubuntu-\d+\.\d+$/);
        for (const step of job.steps) {
          expect(Boolean(step.run) !== Boolean(step.uses), JSON.stringify(step)).to.equal(true);
          if (step.uses) expect(step.uses).to.match(/^[\w-]+\/[\w-]+@v\d+$/);
        }
      }
    }
  });

  it('ci runs .ci/run', function () {
    expect(steps(ci).map((step) => step.run?.trim())).to.include('bash .ci/run');
    expect(existsSync(join(root, '.ci/run'))).to.equal(true);
  });

  it('every script, file and chart the workflows name exists', function () {
    const named = new Set<string>();
    for (const workflow of [ci, e2e]) {
      const text = `${shell(workflow)}\n${JSON.stringify(steps(workflow).map((step) => step.with ?? {}))}`;
      for (const [path] of text.matchAll(
        /(?:\.ci|scripts|charts|\.github|configs|bin)\/[\w.-]+(?:\/[\w.-]+)*/g,
      ))
        named.add(path);
      for (const [path] of text.matchAll(/\bDockerfile\.\w+/g)) named.add(path);
    }
    expect([...named]).to.include.members([
      '.ci/run',
      'scripts/build-images.sh',
      'charts/bacl-operator',
      '.github/kind/s3-server.yaml',
      'bin/run.js',
    ]);
    expect([...named].filter((path) => !existsSync(join(root, path)))).to.deep.equal([]);
  });

  it('the kind run builds, loads and installs the images scripts/build-images.sh names', function () {
    const text = shell(e2e);
    expect(text).to.contain('bash scripts/build-images.sh --registry bacl.local --tag e2e --cpu');
    expect(text).to.contain(
      'kind load docker-image --name bacl bacl.local/operator:e2e bacl.local/worker:e2e-cpu',
    );
    const script = readFileSync(join(root, 'scripts/build-images.sh'), 'utf8');
    expect(script).to.contain('"$registry/operator:$tag"');
    expect(script).to.contain('worker_tag=$tag-cpu');
    expect(steps(e2e).some((step) => step.uses?.startsWith('helm/kind-action@'))).to.equal(true);
  });

  it('installs the chart with NATS and the S3 server with values the chart schema takes', function () {
    const install = /helm install bacl charts\/bacl-operator (.*)/.exec(shell(e2e))?.[1] ?? '';
    const values: Record<string, unknown> = {};
    for (const [, path = '', raw = ''] of install.matchAll(/--set ([\w.[\]]+)=(\S+)/g)) {
      const keys = path.split(/\.|\[|\]\.?/).filter(Boolean);
      const value =
        raw === 'null' ? undefined : raw === 'true' ? true : /^\d+$/.test(raw) ? Number(raw) : raw;
      let node = values;
      keys.forEach((key, i) => {
        if (i === keys.length - 1) node[key] = value;
        else node = (node[key] ??= /^\d+$/.test(keys[i + 1] ?? '') ? [] : {}) as Record<string, unknown>;
      });
    }
    expect(values).to.deep.include({ nats: { enabled: true } });
    const checked = chartValuesSchema.safeParse(values);
    expect(checked.success, JSON.stringify(checked.error?.issues)).to.equal(true);
    // The NetworkPolicy lets workers reach the S3 server the manifest runs, on its port.
    const manifests = parseAllDocuments(readFileSync(join(root, '.github/kind/s3-server.yaml'), 'utf8')).map(
      (doc) => doc.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> },
    );
    const service = manifests.find((m) => m.kind === 'Service');
    expect(service?.spec.selector).to.deep.equal(checked.data?.networkPolicy.s3.podSelector?.matchLabels);
    expect(checked.data?.networkPolicy.s3.ports).to.deep.equal([{ port: 7070, protocol: 'TCP' }]);
    expect(install).to.contain(`workerDefaults.s3.endpoint=http://${service?.metadata.name}.bacl.svc:7070`);
  });

  it('runs the baclctl commands and flags the CLI has, and checks Succeeded with a numeric AP', async function () {
    const text = shell(e2e);
    const calls = [...text.matchAll(/node bin\/run\.js ((?:[a-z]+ )+)([^\n;]*)/g)];
    const commands = calls.map(([, words = '']) =>
      words
        .trim()
        .split(' ')
        .filter((w) => !w.startsWith('tiny')),
    );
    expect(commands.map((c) => c.join(' '))).to.include.members(['data synth', 'data prepare', 'submit']);
    expect(text).to.match(/node bin\/run\.js submit tiny --nodes 2 --gpus 0 --wait/);
    for (const [index, [, words = '', rest = '']] of calls.entries()) {
      const command = commands[index] ?? [];
      const { stdout } = await run('node', [join(root, 'bin/run.js'), ...command, '--help'], { cwd: root });
      for (const [, flag = ''] of `${words} ${rest}`.matchAll(/\s(--[a-z][\w-]*)/g))
        expect(stdout, `${command.join(' ')} ${flag}`).to.match(new RegExp(`${flag}(?![\\w-])`));
      expect(stdout, command.join(' ')).to.not.match(/command .* not found/i);
    }
    expect(text).to.contain("jsonpath='{.status.state}'");
    expect(text).to.contain("jsonpath='{.status.results.AP}'");
    expect(text).to.contain('[[ $state == Succeeded ]]');
    const upload = steps(e2e).find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).to.equal('failure()');
  });
});
