import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException } from '@kubernetes/client-node';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { parse } from 'yaml';
import { packageRoot, packageVersion, type BaclJob } from '../../../common/index.js';
import { waitFor } from '../../harness/index.js';
import { cliKube, cliRoot, type CliKube } from '../kube-fixture.js';

describe('baclctl submit (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;
  let dir: string;

  before(async function () {
    kube = await cliKube('cli-submit');
    // The default S3 credentials Secret, which submit checks for before it creates a job.
    const secret = await kube.cluster.kubectl([
      ...['create', 'secret', 'generic', 'bacl-s3', '-n', kube.namespace],
      ...['--from-literal=AWS_ACCESS_KEY_ID=key', '--from-literal=AWS_SECRET_ACCESS_KEY=secret'],
    ]);
    expect(secret.code, secret.stderr).to.equal(0);
    dir = mkdtempSync(join(tmpdir(), 'bacl-cli-submit-'));
    // Real training configs: the repo's tiny.yaml, one override in the child.
    writeFileSync(join(dir, 'base.yaml'), `_base_: ${join(packageRoot(), 'configs', 'tiny.yaml')}\n`);
    writeFileSync(join(dir, 'job.yaml'), '_base_: base.yaml\nmodel: {neck: {out_channels: 64}}\n');
    writeFileSync(join(dir, 'bad-dataset.yaml'), '_base_: base.yaml\ndata:\n  dataset: LVIS_v1\n');
    writeFileSync(join(dir, 'broken.yaml'), 'model: {depth: 50\n');
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (...args: string[]) => runCommand(['submit', ...args, ...kube.target], { root: cliRoot });
  const absent = async (name: string) => {
    const error = await kube.getJob(name).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(ApiException);
    expect((error as ApiException<unknown>).code).to.equal(404);
  };

  it('creates the BaclJob with the effective config embedded, and prints its name and the next commands', async function () {
    const { stdout, error } = await submit(
      join(dir, 'job.yaml'),
      '--nodes',
      '2',
      '--gpus',
      '8',
      '--name',
      'first',
      '--set',
      'model.neck.out_channels=128',
      '--set',
      'stages=[representation]',
    );
    expect(error).to.equal(undefined);
    expect(stdout).to.contain('bacljob.bacl.dev/first created');
    expect(stdout).to.contain('baclctl wait first -n cli-submit --for=Succeeded');
    const stored = await kube.getJob('first');
    // The effective config, defaults filled in, is what the job carries.
    const config = stored.spec.config as {
      model: { neck: { out_channels: number } };
      stages: string[];
      data: { dataset: string };
    };
    expect(config.model.neck.out_channels).to.equal(128);
    expect(config.stages).to.deep.equal(['representation']);
    expect(config.data.dataset).to.equal('synth');
    expect(stored.spec).to.include({
      nodes: 2,
      gpusPerNode: 8,
      image: `ghcr.io/bacl/worker:${packageVersion()}`,
    });
    // tiny.yaml's checkpoint settings, not the job's defaults.
    expect(stored.spec.checkpoint).to.include({ everySteps: 50, keepLast: 3 });
    expect(stored.spec.dataset).to.deep.equal({
      name: 'synth',
      train: 's3://bacl/datasets/synth/train/manifest.json',
      val: 's3://bacl/datasets/synth/val/manifest.json',
    });
    expect(stored.metadata.annotations).to.deep.equal({
      'bacl.dev/config': join(dir, 'job.yaml'),
      'bacl.dev/set': '["model.neck.out_channels=128","stages=[representation]"]',
    });
  });

  it('names the job after the config when --name is not given, and takes --image, --dataset and --s3-endpoint', async function () {
    const { stdout, error } = await submit(
      join(dir, 'job.yaml'),
      '--image',
      'registry.local/worker:dev',
      '--dataset',
      'lvis-v05',
      '--s3-endpoint',
      'http://minio.bacl:9000',
      '-o',
      'name',
    );
    expect(error).to.equal(undefined);
    const match = /^bacljob\.bacl\.dev\/(job-[a-z0-9]{5})$/.exec(stdout.trim());
    expect(match, stdout).to.not.equal(null);
    const stored = await kube.getJob(match?.[1] ?? '');
    expect(stored.spec.image).to.equal('registry.local/worker:dev');
    expect(stored.spec.dataset.name).to.equal('lvis-v05');
    expect(stored.spec.s3).to.include({ endpoint: 'http://minio.bacl:9000', forcePathStyle: true });
  });

  it('takes --s3-request-timeout and --grace-period into the job; refuses out-of-range values as usage errors', async function () {
    const { stdout, error } = await submit(
      join(dir, 'job.yaml'),
      '--name',
      'deadlines',
      '--s3-request-timeout',
      '30',
      '--grace-period',
      '300',
      '--dry-run',
      '-o',
      'json',
    );
    expect(error).to.equal(undefined);
    const printed = JSON.parse(stdout) as BaclJob;
    expect(printed.spec.s3.requestTimeoutSeconds).to.equal(30);
    expect(printed.spec.terminationGracePeriodSeconds).to.equal(300);
    for (const [flag, value] of [
      ['--s3-request-timeout', '0'],
      ['--s3-request-timeout', '3601'],
      ['--grace-period', '601'],
    ] as const) {
      const refused = await submit(join(dir, 'job.yaml'), '--name', 'refused', flag, value, '--dry-run');
      expect(refused.error?.oclif?.exit, `${flag} ${value}`).to.equal(2);
      expect(refused.error?.message).to.contain(flag.slice(2));
    }
  });

  it('--dry-run -o yaml prints the BaclJob and creates nothing', async function () {
    const { stdout, error } = await submit(join(dir, 'job.yaml'), '--name', 'dry', '--dry-run', '-o', 'yaml');
    expect(error).to.equal(undefined);
    const printed = parse(stdout) as BaclJob;
    expect(printed).to.include({ apiVersion: 'bacl.dev/v1alpha1', kind: 'BaclJob' });
    expect(printed.metadata).to.include({ name: 'dry', namespace: 'cli-submit' });
    expect(
      (printed.spec.config as { model: { neck: { out_channels: number } } }).model.neck.out_channels,
    ).to.equal(64);
    await absent('dry');
  });

  it('refuses an invalid config value with exit 4, naming file:line:column and the field', async function () {
    const { error } = await submit(join(dir, 'bad-dataset.yaml'), '--name', 'bad-dataset');
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.code).to.equal('CONFIG_INVALID');
    expect(error?.message).to.contain(`${join(dir, 'bad-dataset.yaml')}:3:3 data.dataset: `);
    await absent('bad-dataset');
  });

  it('refuses YAML that does not parse with exit 4 and its place', async function () {
    const { error } = await submit(join(dir, 'broken.yaml'), '--name', 'broken');
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.message).to.match(new RegExp(`^${join(dir, 'broken.yaml')}:\\d+:\\d+ invalid YAML`));
  });

  it('refuses a --set path into a plain value with exit 4, naming the override and the field', async function () {
    const { error } = await submit(
      join(dir, 'job.yaml'),
      '--name',
      'bad-set',
      '--set',
      'model.backbone.depth.x=1',
    );
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.message).to.equal(
      '--set model.backbone.depth.x=1 model.backbone.depth: cannot set a field inside a plain value',
    );
    await absent('bad-set');
  });

  it('refuses a job the API schema refuses (a dataset name that is no DNS label) before sending it', async function () {
    const { error } = await submit(join(dir, 'job.yaml'), '--name', 'bad-flag', '--dataset', 'LVIS_v1');
    expect(error?.oclif?.exit).to.equal(4);
    expect(error?.code).to.equal('JOB_INVALID');
    expect(error?.message).to.contain('spec.dataset.name must be a DNS label');
    await absent('bad-flag');
  });

  it('answers an unknown config name with exit 3', async function () {
    const { error } = await submit('no-such-config');
    expect(error?.oclif?.exit).to.equal(3);
    expect(error?.code).to.equal('NOT_FOUND');
  });

  it('answers a name that is taken with ALREADY_EXISTS and the server message', async function () {
    const { error } = await submit(join(dir, 'job.yaml'), '--name', 'first');
    expect(error?.oclif?.exit).to.equal(1);
    expect(error?.code).to.equal('ALREADY_EXISTS');
    expect(error?.message).to.equal('bacljobs.bacl.dev "first" already exists');
  });

  it('answers --nodes 0 as a usage error (exit 2)', async function () {
    const { error } = await submit(join(dir, 'job.yaml'), '--nodes', '0');
    expect(error?.oclif?.exit).to.equal(2);
  });

  it('prints errors as JSON with --json', async function () {
    const { stdout } = await submit('no-such-config', '--json');
    const printed = JSON.parse(stdout) as { error: { code: string; exit: number; tryThis: string } };
    expect(printed.error).to.include({ code: 'NOT_FOUND', exit: 3 });
    expect(printed.error.tryThis).to.be.a('string');
  });

  it('--wait returns once the job succeeds (status written through /status)', async function () {
    const waiting = submit(join(dir, 'job.yaml'), '--name', 'waited', '--wait');
    await waitFor('the submitted job', () =>
      kube.getJob('waited').then(
        () => true,
        () => false,
      ),
    );
    await kube.writeStatus('waited', {
      state: 'Succeeded',
      conditions: [
        {
          type: 'Succeeded',
          status: 'True',
          reason: 'JobSucceeded',
          message: 'evaluation done',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    });
    const { stdout, stderr, error } = await waiting;
    expect(error).to.equal(undefined);
    expect(stdout).to.contain('bacljob.bacl.dev/waited created');
    // Not a TTY here: plain lines; the last one shows the status the test wrote, so the command waited for
    // it (when the wait began before the write, an earlier line shows Pending; that order is not fixed).
    expect(stderr.trim().split('\n').at(-1)).to.equal('waited: Succeeded');
  });
});

/** Polls a readiness check (never an assertion about time): gives up after 30 s. */
