// Issue #13's end-to-end test: `baclctl submit tiny --nodes 2 --gpus 1 --wait` against the harness (a real
// kube-apiserver, the test pod runner as scheduler and kubelet, nats-server, the versitygw S3 server), with the
// operator's controller in-process and the real bacl-worker in every pod (not a stand-in command). The tiny
// config's synthetic dataset is prepared into S3 with `baclctl data prepare`, as users do; the schedule is cut
// to a few steps per stage so the whole job (two 2-rank training stages over NATS, then a 2-rank evaluate) runs in
// minutes on two loaded cores. Checked: the job Succeeds, status.results holds AP, and those figures are what
// `baclctl eval` computes on the detections the job left in S3 against the val ground truth.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { loadTrainingConfig, packageRoot, type BaclJob } from '../../common/index.js';
import { ensureSynthDataset, synthOptionsFromConfig, type LvisMetrics } from '../../data/index.js';
import { makeWorkDir, startPodRunner, type PodRunner } from '../harness/index.js';
import {
  getJob,
  newNamespace,
  podsOf,
  startOperator,
  stateOf,
  testWorld,
  type RunningOperator,
  type TestWorld,
} from '../operator/controller/env.js';

// No import.meta here: it would make this file ESM-only under tsx, with its own copy of the harness module whose
// shared servers the root hooks (loaded as CommonJS) then never stop.
const root = packageRoot();

/** A few steps per stage: enough to run every piece (warmup, a decay step, a mid-stage checkpoint). */
const shortSchedule = [
  'schedule.representation.iterations=6',
  'schedule.representation.warmup_iters=2',
  'schedule.representation.lr_steps=[4]',
  'schedule.classifier.iterations=4',
  'schedule.classifier.lr_steps=[3]',
  'checkpoint.every_steps=3',
  'data.synth.val_images=24',
];

/**
 * The real worker from these sources, as the pod runner starts it (a local process in the pod's own directory,
 * with only the pod's environment): tsx named by its absolute URL, since `--import tsx` resolves from the
 * working directory. wasm: the backend that needs no native build, the one tiny's figures are measured on.
 */
const workerCommand = [
  process.execPath,
  '--import',
  pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href,
  join(root, 'worker', 'entry.ts'),
  '--backend',
  'wasm',
];

describe('e2e: baclctl submit tiny --nodes 2 --gpus 1 --wait, the operator and the real bacl-worker', function () {
  this.timeout(1_500_000);
  const name = 'tiny-e2e';
  let w: TestWorld;
  let namespace: string;
  let runner: PodRunner | undefined;
  let operator: RunningOperator | undefined;
  let valAnnotations: string;
  let dir: string;
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
    w = await testWorld();
    namespace = await newNamespace(w, 'e2e-worker');
    dir = makeWorkDir('e2e-worker');

    // The tiny config's synthetic dataset, prepared into <s3>/datasets/synth/{train,val} (submit's layout).
    const { config } = loadTrainingConfig('tiny', { sets: shortSchedule });
    if (config.data.synth === undefined) throw new Error('configs/tiny.yaml has no data.synth');
    const synth = await ensureSynthDataset(join(dir, 'synth'), synthOptionsFromConfig(config.data.synth));
    valAnnotations = synth.files.val;
    for (const variable of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      saved[variable] = process.env[variable];
    process.env.AWS_ACCESS_KEY_ID = w.s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = w.s3.secretAccessKey;
    for (const [split, annotations] of [
      ['train', synth.files.train],
      ['val', synth.files.val],
    ] as const) {
      const { error } = await runCommand(
        [
          'data',
          'prepare',
          '--annotations',
          annotations,
          '--images',
          synth.files.images,
          '--out',
          `s3://${w.bucket}/datasets/synth/${split}`,
          '--s3-endpoint',
          w.s3.endpoint,
        ],
        { root },
      );
      if (error) throw error;
    }

    runner = await startPodRunner(w.kubeConfig, { namespaces: [namespace] });
    operator = startOperator(w, namespace, { workerCommand });
  });

  after(async function () {
    await operator?.stop();
    await runner?.stop();
    for (const [variable, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[variable];
      else process.env[variable] = value;
    }
  });

  /** Every pod's output, for a failure message. */
  const podLogs = async () => {
    const pods = await podsOf(w, namespace, name);
    return pods
      .map((pod) => {
        const podName = pod.metadata?.name ?? '?';
        return `--- ${podName} (${pod.status?.phase})\n${runner?.logs(namespace, podName).slice(-4000) ?? ''}`;
      })
      .join('\n');
  };

  const getObject = async (key: string): Promise<string> => {
    const object = await w.s3.client().send(new GetObjectCommand({ Bucket: w.bucket, Key: key }));
    return (await object.Body?.transformToString()) ?? '';
  };

  it('reaches Succeeded with AP in status, equal to `baclctl eval` on the detections left in S3', async function () {
    const submitted = await runCommand(
      [
        'submit',
        'tiny',
        '--nodes',
        '2',
        '--gpus',
        '1',
        '--name',
        name,
        ...shortSchedule.flatMap((set) => ['--set', set]),
        '--s3-uri',
        `s3://${w.bucket}`,
        '--s3-endpoint',
        w.s3.endpoint,
        '--s3-secret',
        's3-credentials',
        '--nats-url',
        w.natsUrl,
        '--wait',
        '--kubeconfig',
        w.cluster.kubeconfigPath,
        '-n',
        namespace,
      ],
      { root },
    );
    const job = (await getJob(w, namespace, name)) as BaclJob;
    const context = async () =>
      `${JSON.stringify(stateOf(job), null, 2)}\n${submitted.stderr.slice(-2000)}\n${await podLogs()}`;
    if (submitted.error || job.status?.state !== 'Succeeded') expect.fail(await context());
    expect(submitted.stderr.trim().split('\n').at(-1)).to.match(new RegExp(`^${name}: Succeeded`));

    // Two training stages and the evaluate stage, each of two pods (one rank each, WORLD_SIZE 2 over NATS).
    const pods = await podsOf(w, namespace, name);
    expect(pods.map((pod) => `${pod.metadata?.name} ${pod.status?.phase}`).sort()).to.deep.equal([
      `${name}-cls-0-0 Succeeded`,
      `${name}-cls-0-1 Succeeded`,
      `${name}-eval-0-0 Succeeded`,
      `${name}-eval-0-1 Succeeded`,
      `${name}-rep-0-0 Succeeded`,
      `${name}-rep-0-1 Succeeded`,
    ]);

    // The run prefix: a checkpoint per training stage (latest.json written last), the evaluate stage's output.
    const run = `runs/${namespace}/${name}/${job.metadata.uid}`;
    const listed = await w.s3
      .client()
      .send(new ListObjectsV2Command({ Bucket: w.bucket, Prefix: `${run}/` }));
    const keys = (listed.Contents ?? []).map((object) => object.Key?.slice(run.length + 1));
    expect(keys).to.include.members([
      'checkpoints/representation/ckpt-3/manifest.json', // checkpoint.every_steps=3 reached the ranks
      'checkpoints/representation/latest.json',
      'checkpoints/classifier/latest.json',
      'eval/detections.json',
      'eval/metrics.json',
    ]);
    expect(
      keys.filter((key) => key?.startsWith('eval/parts/')),
      "rank 0 removes the ranks' parts after the merge",
    ).to.deep.equal([]);
    expect(job.status?.lastCheckpoint, 'rank 0 reported its checkpoints on NATS').to.include({
      stage: 'classifier',
      step: 4,
    });

    // status.results: the metrics.json the evaluate stage wrote, which `baclctl eval` reproduces exactly.
    const results = job.status?.results;
    expect(results?.AP, JSON.stringify(results)).to.be.a('number').within(0, 1);
    expect(results?.uri).to.equal(`s3://${w.bucket}/${run}/eval/metrics.json`);
    const detections = join(dir, 'detections.json');
    writeFileSync(detections, await getObject(`${run}/eval/detections.json`));
    const evaluated = await runCommand(
      ['eval', '--gt', valAnnotations, '--results', detections, '-o', 'json'],
      {
        root,
      },
    );
    expect(evaluated.error).to.equal(undefined);
    const metrics = JSON.parse(evaluated.stdout) as LvisMetrics;
    expect(JSON.parse(await getObject(`${run}/eval/metrics.json`))).to.deep.equal(metrics);
    for (const key of ['AP', 'AP50', 'AP75', 'APr', 'APc', 'APf'] as const) {
      expect(results?.[key], key).to.be.closeTo(metrics[key], 5e-5);
    }
  });
});
