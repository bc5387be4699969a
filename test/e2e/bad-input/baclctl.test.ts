// Issue #16, bad input, baclctl: `baclctl submit` with a bad config file, a bad --set, bad flags or a
// missing S3 Secret, against the real kube-apiserver. Every row fails with a message naming the file (or the
// override or flag), the field and what to do, and leaves the namespace exactly as it found it: no BaclJob,
// ConfigMap, Secret, Service or pod. ADR 0036.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { packageRoot } from '../../../common/index.js';
import { cliKube, cliRoot, type CliKube } from '../../cli/kube-fixture.js';
import { recordReliability } from '../reliability/entries.js';
import { firstLines } from './record.js';

interface Row {
  id: string;
  /** The input, described for the report. */
  input: string;
  /** submit's arguments (the config first); `<dir>` stands for the folder of the row's files. */
  args: string[];
  /** The exit code and the stable error code. */
  exit: number;
  code?: string;
  /** What the message must say (after `<dir>` is replaced). */
  says: (string | RegExp)[];
}

const tiny = join(packageRoot(), 'configs', 'tiny.yaml');

/** Config files the rows submit, written into a fresh folder. */
const files: Record<string, string> = {
  'unknown-key.yaml': `_base_: ${tiny}\nmodel:\n  nek:\n    out_channels: 64\n`,
  'wrong-type.yaml': `_base_: ${tiny}\nseed: first\n`,
  'out-of-range.yaml': `_base_: ${tiny}\nschedule:\n  representation:\n    momentum: 1.5\n`,
  'lr-steps.yaml': `_base_: ${tiny}\nschedule:\n  classifier:\n    lr_steps: [240, 400]\n`,
  'no-schedule.yaml': `_base_: ${tiny}\nstages: [baseline]\n`,
  'no-dataset.yaml': `_base_: ${tiny}\ndata:\n  dataset: null\n`,
  'broken.yaml': `_base_: ${tiny}\nmodel: {neck: {out_channels: 64}\n`,
  'missing-base.yaml': '_base_: ./no-such-base.yaml\nseed: 1\n',
};

const rows: Row[] = [
  {
    id: 'submit-unknown-key-in-file',
    input: 'a config file setting model.nek.out_channels (a typo of neck)',
    args: ['<dir>/unknown-key.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['<dir>/unknown-key.yaml:4:5 model.nek: unknown field: did you mean model.neck?'],
  },
  {
    id: 'submit-unknown-key-in-set',
    input: '--set schedule.representation.lr_step=[300] (a typo of lr_steps)',
    args: [tiny, '--set', 'schedule.representation.lr_step=[300]'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: [
      '--set schedule.representation.lr_step=[300] schedule.representation.lr_step: unknown field: ' +
        'did you mean schedule.representation.lr_steps?',
    ],
  },
  {
    id: 'submit-unknown-top-level-key',
    input: '--set optimiser.lr=0.1 (no such section)',
    args: [tiny, '--set', 'optimiser.lr=0.1'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['--set optimiser.lr=0.1 optimiser: unknown field: remove it (the fields here are stages, seed'],
  },
  {
    id: 'submit-wrong-type-in-file',
    input: 'a config file with seed: first',
    args: ['<dir>/wrong-type.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['<dir>/wrong-type.yaml:2:1 seed: ', /expected number, received string/],
  },
  {
    id: 'submit-wrong-type-in-set',
    input: '--set model.roi_head.num_classes=many',
    args: [tiny, '--set', 'model.roi_head.num_classes=many'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['--set model.roi_head.num_classes=many model.roi_head.num_classes: ', /expected number/],
  },
  {
    id: 'submit-out-of-range',
    input: 'a config file with schedule.representation.momentum: 1.5',
    args: ['<dir>/out-of-range.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['<dir>/out-of-range.yaml:4:5 schedule.representation.momentum: ', /<=1/],
  },
  {
    id: 'submit-negative-lr',
    input: '--set schedule.representation.lr=-0.02',
    args: [tiny, '--set', 'schedule.representation.lr=-0.02'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['--set schedule.representation.lr=-0.02 schedule.representation.lr: ', />0/],
  },
  {
    id: 'submit-lr-steps-beyond-stage',
    input: 'schedule.classifier.lr_steps: [240, 400] in a 300-iteration stage',
    args: ['<dir>/lr-steps.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: [
      'schedule.classifier.lr_steps[1]: step 400 is past the end of the stage (300 iterations)',
      'use steps up to 300, or lengthen the stage',
    ],
  },
  {
    id: 'submit-lr-steps-after-shortening',
    input: '--set schedule.representation.iterations=200 (tiny.yaml decays the lr at 800)',
    args: [tiny, '--set', 'schedule.representation.iterations=200'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['schedule.representation.lr_steps[0]: step 800 is past the end of the stage (200 iterations)'],
  },
  {
    id: 'submit-stage-without-schedule',
    input: 'stages: [baseline] on a config with no baseline schedule',
    args: ['<dir>/no-schedule.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ["schedule.baseline: stage 'baseline' (stages[0]) needs a schedule"],
  },
  {
    id: 'submit-unknown-stage',
    input: '--set stages=[representation,detection]',
    args: [tiny, '--set', 'stages=[representation,detection]'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: [
      '--set stages=[representation,detection] stages[1]: ',
      /"representation"\|"classifier"\|"baseline"/,
    ],
  },
  {
    id: 'submit-missing-dataset',
    input: 'a config file with data.dataset: null',
    args: ['<dir>/no-dataset.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['<dir>/no-dataset.yaml:3:3 data.dataset: ', /expected one of "lvis_v1"\|"lvis_v0\.5"\|"synth"/],
  },
  {
    id: 'submit-broken-yaml',
    input: 'a config file whose YAML does not parse (a missing })',
    args: ['<dir>/broken.yaml'],
    exit: 4,
    says: [/^<dir>\/broken\.yaml:\d+:\d+ invalid YAML/],
  },
  {
    id: 'submit-missing-base',
    input: 'a config file whose _base_ does not exist',
    args: ['<dir>/missing-base.yaml'],
    exit: 4,
    code: 'CONFIG_INVALID',
    says: ['<dir>/missing-base.yaml:1:1 _base_: _base_ file <dir>/no-such-base.yaml does not exist'],
  },
  {
    id: 'submit-set-without-value',
    input: '--set model.roi_head.num_classes (no =value)',
    args: [tiny, '--set', 'model.roi_head.num_classes'],
    exit: 4,
    says: ['--set model.roi_head.num_classes', 'path.to.field=value'],
  },
  {
    id: 'submit-nodes-zero',
    input: '--nodes 0',
    args: [tiny, '--nodes', '0'],
    exit: 2,
    says: ['--nodes', 'greater than or equal to 1'],
  },
  {
    id: 'submit-nodes-too-many',
    input: '--nodes 5000',
    args: [tiny, '--nodes', '5000'],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['spec.nodes: spec.nodes must be at most 1024 (pod names carry the node rank)'],
  },
  {
    id: 'submit-gpus-too-many',
    input: '--gpus 64',
    args: [tiny, '--gpus', '64'],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['spec.gpusPerNode must be at most 16'],
  },
  {
    id: 'submit-bad-image',
    input: '--image ghcr.io/Bacl/worker:latest (upper case in the repository)',
    args: [tiny, '--image', 'ghcr.io/Bacl/worker:latest'],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['spec.image: spec.image must be an image reference'],
  },
  {
    id: 'submit-name-too-long',
    input: `--name of 41 characters`,
    args: [tiny, '--name', `j${'x'.repeat(40)}`],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['metadata.name must be at most 40 characters'],
  },
  {
    id: 'submit-bad-s3-uri',
    input: '--s3-uri https://bucket.example.com/bacl',
    args: [tiny, '--s3-uri', 'https://bucket.example.com/bacl'],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['spec.s3.uri must be an s3:// URI'],
  },
  {
    id: 'submit-bad-nats-url',
    input: '--nats-url http://nats:4222',
    args: [tiny, '--nats-url', 'http://nats:4222'],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['spec.nats.url must be a nats:// or tls:// URL'],
  },
  {
    id: 'submit-missing-s3-secret',
    input: '--s3-secret no-such-secret (no such Secret in the namespace)',
    args: [tiny, '--s3-secret', 'no-such-secret'],
    exit: 3,
    code: 'NOT_FOUND',
    says: [
      'the S3 credentials Secret bad-input-cli/no-such-secret (--s3-secret, $BACL_S3_SECRET) does not exist',
      'kubectl create secret generic no-such-secret -n bad-input-cli',
    ],
  },
  {
    id: 'submit-s3-secret-without-keys',
    input: '--s3-secret half-secret (a Secret with AWS_ACCESS_KEY_ID only)',
    args: [tiny, '--s3-secret', 'half-secret'],
    exit: 4,
    code: 'JOB_INVALID',
    says: ['the S3 credentials Secret bad-input-cli/half-secret', 'has no AWS_SECRET_ACCESS_KEY'],
  },
];

describe('e2e bad input: configs and flags refused by baclctl submit before anything is created', function () {
  this.timeout(240_000);
  let kube: CliKube;
  let dir: string;
  let baseline: string[];

  /** Everything a submit could leave in the namespace. */
  const inventory = async () => {
    const listed = await kube.cluster.kubectl([
      ...['get', 'bacljobs,configmaps,secrets,services,pods,events', '-n', kube.namespace, '-o', 'name'],
    ]);
    expect(listed.code, listed.stderr).to.equal(0);
    return listed.stdout.split('\n').filter(Boolean).sort();
  };

  before(async function () {
    kube = await cliKube('bad-input-cli');
    dir = mkdtempSync(join(tmpdir(), 'bacl-bad-input-cli-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    for (const [name, keys] of [
      ['bacl-s3', ['AWS_ACCESS_KEY_ID=key', 'AWS_SECRET_ACCESS_KEY=secret']],
      ['half-secret', ['AWS_ACCESS_KEY_ID=key']],
    ] as const) {
      const created = await kube.cluster.kubectl([
        ...['create', 'secret', 'generic', name, '-n', kube.namespace],
        ...keys.map((key) => `--from-literal=${key}`),
      ]);
      expect(created.code, created.stderr).to.equal(0);
    }
    baseline = await inventory();
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (args: string[]) =>
    runCommand(['submit', ...args.map((arg) => arg.replace('<dir>', dir)), ...kube.target], {
      root: cliRoot,
    });

  it('creates a job from the same config and Secret when nothing is wrong (the rows differ only in the bad input)', async function () {
    const { error } = await submit([tiny, '--name', 'valid-base', '--dry-run']);
    expect(error).to.equal(undefined);
    const created = await submit([tiny, '--name', 'valid-base', '-o', 'name']);
    expect(created.error).to.equal(undefined);
    expect(await inventory()).to.include('bacljob.bacl.dev/valid-base');
    const deleted = await kube.cluster.kubectl(['delete', 'bacljob', 'valid-base', '-n', kube.namespace]);
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect(await inventory()).to.deep.equal(baseline);
  });

  for (const row of rows) {
    it(`refuses ${row.input}`, async function () {
      const named = row.args.includes('--name') ? [] : ['--name', `row-${rows.indexOf(row)}`];
      const { error } = await submit([...row.args, ...named]);
      expect(error, 'submit failed').to.not.equal(undefined);
      const tryThis = (error as { suggestions?: string[] } | undefined)?.suggestions?.[0];
      const message = `${error?.message ?? ''}${tryThis === undefined ? '' : `\nTry this: ${tryThis}`}`;
      expect(error?.oclif?.exit, message).to.equal(row.exit);
      if (row.code !== undefined) expect(error?.code).to.equal(row.code);
      for (const part of row.says) {
        if (typeof part === 'string') expect(message, message).to.contain(part.replaceAll('<dir>', dir));
        else expect(message, message).to.match(new RegExp(part.source.replaceAll('<dir>', dir)));
      }
      const left = await inventory();
      expect(left, 'the namespace is as before').to.deep.equal(baseline);
      recordReliability({
        kind: 'bad-input',
        id: row.id,
        test: this.test!.fullTitle(),
        surface: 'baclctl',
        input: row.input,
        message: firstLines(message.replaceAll(dir, '.').replaceAll(`${packageRoot()}/`, ''), 5),
        leftBehind:
          'nothing (the namespace lists the same BaclJobs, ConfigMaps, Secrets, Services, pods and ' +
          'events as before: none new)',
      });
    });
  }
});
