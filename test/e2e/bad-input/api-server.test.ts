// Issue #16, bad input, API server: malformed BaclJobs as a user sends them (`kubectl apply`, which asks for
// strict server-side field validation) against the real kube-apiserver with the chart's CRD. Every row is
// refused with a message that names the field and says what is allowed, and nothing is stored. ADR 0036.
import { join } from 'node:path';
import { expect } from 'chai';
import { packageRoot } from '../../../common/index.js';
import { crdPath, podName } from '../../../operator/internal.js';
import { sharedKube, type KubeCluster } from '../../harness/index.js';
import { minimalJob, minimalSpec, type JobManifest } from '../../operator/fixtures.js';
import { recordReliability } from '../reliability/entries.js';
import { firstLines } from './record.js';

const namespace = 'bad-input-api';

/**
 * `minimalJob(name)` with `patch` over its spec, typed loosely so a row can write what the zod types forbid
 * (a string for a number, an unknown key); a key patched to undefined is left out.
 */
function loose(name: string, patch: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...minimalJob(name), spec: { ...minimalSpec(), ...patch } })) as Record<
    string,
    unknown
  >;
}
const spec = minimalSpec();

interface Row {
  id: string;
  /** The input, described for the report. */
  input: string;
  job: JobManifest | Record<string, unknown>;
  /** What the message must say: the field, and what is allowed. */
  says: (string | RegExp)[];
}

const rows: Row[] = [
  {
    id: 'job-nodes-zero',
    input: 'spec.nodes: 0',
    job: minimalJob('nodes-zero', { nodes: 0 }),
    says: ['spec.nodes must be at least 1'],
  },
  {
    id: 'job-nodes-negative',
    input: 'spec.nodes: -2',
    job: minimalJob('nodes-negative', { nodes: -2 }),
    says: ['spec.nodes must be at least 1'],
  },
  {
    id: 'job-nodes-fraction',
    input: 'spec.nodes: 1.5',
    job: loose('nodes-fraction', { nodes: 1.5 }),
    says: ['spec.nodes', /must be of type integer/],
  },
  {
    id: 'job-nodes-string',
    input: 'spec.nodes: "two"',
    job: loose('nodes-string', { nodes: 'two' }),
    says: ['spec.nodes', /must be of type integer/],
  },
  {
    id: 'job-nodes-too-many',
    input: 'spec.nodes: 5000',
    job: minimalJob('nodes-too-many', { nodes: 5000 }),
    says: ['spec.nodes must be at most 1024'],
  },
  {
    id: 'job-gpus-negative',
    input: 'spec.gpusPerNode: -1',
    job: minimalJob('gpus-negative', { gpusPerNode: -1 }),
    says: ['spec.gpusPerNode must be at least 0'],
  },
  {
    id: 'job-gpus-too-many',
    input: 'spec.gpusPerNode: 64',
    job: minimalJob('gpus-too-many', { gpusPerNode: 64 }),
    says: ['spec.gpusPerNode must be at most 16', 'add nodes for more ranks'],
  },
  {
    id: 'job-unknown-stage',
    input: 'spec.config.stages: [representation, detection]',
    job: loose('unknown-stage', { config: { ...spec.config, stages: ['representation', 'detection'] } }),
    says: ['spec.config.stages[1]', /supported values: "representation", "classifier", "baseline"/],
  },
  {
    id: 'job-repeated-stage',
    input: 'spec.config.stages: [baseline, baseline]',
    job: loose('repeated-stage', { config: { ...spec.config, stages: ['baseline', 'baseline'] } }),
    says: ['spec.config.stages', 'stages must not repeat a stage'],
  },
  {
    id: 'job-no-stages',
    input: 'spec.config.stages: []',
    job: loose('no-stages', { config: { ...spec.config, stages: [] } }),
    says: ['spec.config.stages', /should have at least 1 items/],
  },
  {
    id: 'job-missing-config',
    input: 'spec.config left out',
    job: loose('missing-config', { config: undefined }),
    says: ['spec.config: Required value'],
  },
  {
    id: 'job-missing-dataset',
    input: 'spec.dataset left out',
    job: loose('missing-dataset', { dataset: undefined }),
    says: ['spec.dataset: Required value'],
  },
  {
    id: 'job-dataset-not-s3',
    input: 'spec.dataset.train: https://x/manifest.json',
    job: loose('dataset-not-s3', { dataset: { ...spec.dataset, train: 'https://x/manifest.json' } }),
    says: ['spec.dataset.train must be an s3:// URI'],
  },
  {
    id: 'job-s3-uri-not-s3',
    input: 'spec.s3.uri: /data/bacl',
    job: loose('s3-uri-not-s3', { s3: { ...spec.s3, uri: '/data/bacl' } }),
    says: ['spec.s3.uri must be an s3:// URI'],
  },
  {
    id: 'job-checkpoint-uri-not-s3',
    input: 'spec.checkpoint.uri: gs://bucket/ckpt',
    job: minimalJob('checkpoint-not-s3', { checkpoint: { uri: 'gs://bucket/ckpt' } }),
    says: ['spec.checkpoint.uri must be an s3:// URI'],
  },
  {
    id: 'job-s3-secret-not-a-name',
    input: 'spec.s3.credentialsSecret: "S3 creds"',
    job: loose('s3-secret-name', { s3: { ...spec.s3, credentialsSecret: 'S3 creds' } }),
    says: ['spec.s3.credentialsSecret must be a DNS label'],
  },
  {
    id: 'job-s3-request-timeout-zero',
    input: 'spec.s3.requestTimeoutSeconds: 0',
    job: minimalJob('s3-timeout-zero', { s3: { ...spec.s3, requestTimeoutSeconds: 0 } }),
    says: ['spec.s3.requestTimeoutSeconds must be at least 1'],
  },
  {
    id: 'job-s3-request-timeout-too-long',
    input: 'spec.s3.requestTimeoutSeconds: 86400',
    job: minimalJob('s3-timeout-day', { s3: { ...spec.s3, requestTimeoutSeconds: 86_400 } }),
    says: ['spec.s3.requestTimeoutSeconds must be at most 3600', 'the retries ride out a longer outage'],
  },
  {
    id: 'job-image-upper-case',
    input: 'spec.image: GHCR.io/Bacl/Worker:0.1.0',
    job: minimalJob('image-upper-case', { image: 'GHCR.io/Bacl/Worker:0.1.0' }),
    says: ['spec.image must be an image reference', 'the name lower-case'],
  },
  {
    id: 'job-image-space',
    input: 'spec.image: "ghcr.io/bacl/worker 0.1.0"',
    job: minimalJob('image-space', { image: 'ghcr.io/bacl/worker 0.1.0' }),
    says: ['spec.image must be an image reference', 'no spaces'],
  },
  {
    id: 'job-image-empty',
    input: 'spec.image: ""',
    job: minimalJob('image-empty', { image: '' }),
    says: ['spec.image', /at least 1 chars long/],
  },
  {
    id: 'job-nats-url-scheme',
    input: 'spec.nats.url: http://nats:4222',
    job: minimalJob('nats-url-scheme', { nats: { url: 'http://nats:4222' } }),
    says: ['spec.nats.url must be a nats:// or tls:// URL'],
  },
  {
    id: 'job-resume-word',
    input: 'spec.resume: latest',
    job: minimalJob('resume-word', { resume: 'latest' }),
    says: ["spec.resume must be 'auto' or an s3:// checkpoint URI"],
  },
  {
    id: 'job-clean-pod-policy',
    input: 'spec.runPolicy.cleanPodPolicy: Some',
    job: loose('clean-pod-policy', { runPolicy: { cleanPodPolicy: 'Some' } }),
    says: ['spec.runPolicy.cleanPodPolicy', /supported values: "None", "Running", "All"/],
  },
  {
    id: 'job-backoff-negative',
    input: 'spec.runPolicy.backoffLimit: -1',
    job: minimalJob('backoff-negative', { runPolicy: { backoffLimit: -1 } }),
    says: ['spec.runPolicy.backoffLimit must be at least 0'],
  },
  {
    id: 'job-deadline-zero',
    input: 'spec.runPolicy.activeDeadlineSeconds: 0',
    job: minimalJob('deadline-zero', { runPolicy: { activeDeadlineSeconds: 0 } }),
    says: ['spec.runPolicy.activeDeadlineSeconds must be at least 1'],
  },
  {
    id: 'job-grace-period-too-long',
    input: 'spec.terminationGracePeriodSeconds: 3600',
    job: minimalJob('grace-period-too-long', { terminationGracePeriodSeconds: 3600 }),
    says: ['spec.terminationGracePeriodSeconds must be at most 600', 'a lost node holds a restarting group'],
  },
  {
    id: 'job-grace-period-zero',
    input: 'spec.terminationGracePeriodSeconds: 0',
    job: minimalJob('grace-period-zero', { terminationGracePeriodSeconds: 0 }),
    says: ['spec.terminationGracePeriodSeconds must be at least 1'],
  },
  {
    id: 'job-checkpoint-every-zero',
    input: 'spec.checkpoint.everySteps: 0',
    job: minimalJob('checkpoint-every-zero', { checkpoint: { everySteps: 0 } }),
    says: ['spec.checkpoint.everySteps must be at least 1'],
  },
  {
    id: 'job-unknown-field',
    input: 'spec.node: 2 (a typo of spec.nodes)',
    job: loose('unknown-field', { node: 2 }),
    says: [/unknown field "spec\.node"/],
  },
  {
    id: 'job-unknown-nested-field',
    input: 'spec.runPolicy.backofLimit: 5 (a typo of backoffLimit)',
    job: loose('unknown-nested-field', { runPolicy: { backofLimit: 5 } }),
    says: [/unknown field "spec\.runPolicy\.backofLimit"/],
  },
  {
    id: 'job-name-too-long',
    input: `metadata.name: 41 characters (j${'x'.repeat(40)})`,
    job: minimalJob(`j${'x'.repeat(40)}`),
    says: ['metadata.name must be at most 40 characters', 'pod and label names are derived from it'],
  },
  {
    id: 'job-name-leading-digit',
    input: 'metadata.name: 9lives',
    job: minimalJob('9lives'),
    says: ['metadata.name must be a DNS label starting with a letter'],
  },
  {
    id: 'job-name-dot',
    input: 'metadata.name: exp.1 (a valid object name, but no DNS label for the Service and pods)',
    job: minimalJob('exp.1'),
    says: ['metadata.name must be a DNS label starting with a letter'],
  },
];

/** Updates of a running job's immutable fields (CEL transition rules), applied over a stored valid job. */
const updates: { id: string; field: string; change: Partial<JobManifest['spec']>; input: string }[] = [
  { id: 'update-nodes', field: 'spec.nodes', change: { nodes: 4 }, input: 'spec.nodes: 1 -> 4' },
  {
    id: 'update-gpus',
    field: 'spec.gpusPerNode',
    change: { gpusPerNode: 8 },
    input: 'spec.gpusPerNode: 1 -> 8',
  },
  {
    id: 'update-config',
    field: 'spec.config',
    change: { config: { ...minimalSpec().config, model: { roi_head: { num_classes: 80 } } } },
    input: 'spec.config.model.roi_head.num_classes: 1203 -> 80',
  },
  {
    id: 'update-dataset',
    field: 'spec.dataset',
    change: {
      dataset: {
        name: 'lvis-v05',
        train: 's3://b/v05/train/manifest.json',
        val: 's3://b/v05/val/manifest.json',
      },
    },
    input: 'spec.dataset: lvis-v1 -> lvis-v05',
  },
  {
    id: 'update-image',
    field: 'spec.image',
    change: { image: 'ghcr.io/bacl/worker:0.2.0' },
    input: 'spec.image: ...:0.1.0 -> ...:0.2.0',
  },
];

describe('e2e bad input: malformed BaclJobs refused by the API server (kubectl apply)', function () {
  this.timeout(240_000);
  let cluster: KubeCluster;

  const apply = (job: unknown) =>
    cluster.kubectl(['apply', '-n', namespace, '-f', '-'], { input: JSON.stringify(job) });
  const names = async () => {
    const listed = await cluster.kubectl(['get', 'bacljobs', '-n', namespace, '-o', 'name']);
    expect(listed.code, listed.stderr).to.equal(0);
    return listed.stdout.split('\n').filter(Boolean).sort();
  };

  before(async function () {
    cluster = await sharedKube();
    const applied = await cluster.kubectl(['apply', '--server-side', '-f', join(packageRoot(), crdPath)]);
    expect(applied.code, applied.stderr).to.equal(0);
    const established = await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/bacljobs.bacl.dev',
      '--timeout=60s',
    ]);
    expect(established.code, established.stderr).to.equal(0);
    const ns = await cluster.kubectl(['create', 'namespace', namespace]);
    expect(ns.code, ns.stderr).to.equal(0);
  });

  it('accepts the valid job every row starts from (so a refusal is the row, not the base)', async function () {
    const result = await apply(minimalJob('valid-base'));
    expect(result.code, result.stderr).to.equal(0);
    expect(await names()).to.deep.equal(['bacljob.bacl.dev/valid-base']);
    const deleted = await cluster.kubectl(['delete', 'bacljob', 'valid-base', '-n', namespace]);
    expect(deleted.code, deleted.stderr).to.equal(0);
  });

  it('accepts the longest name and the most nodes, and every derived pod name still fits a hostname', async function () {
    const name = `j${'x'.repeat(39)}`;
    const result = await apply(minimalJob(name, { nodes: 1024, gpusPerNode: 16 }));
    expect(result.code, result.stderr).to.equal(0);
    // <job>-<stage>-<attempt>-<nodeRank>: the pod's hostname, at most 63 characters, even after 10^12 attempts.
    for (const stage of ['representation', 'classifier', 'baseline', 'evaluate'] as const) {
      expect(podName(name, stage, 10 ** 12 - 1, 1023).length).to.be.at.most(63);
    }
    const deleted = await cluster.kubectl(['delete', 'bacljob', name, '-n', namespace]);
    expect(deleted.code, deleted.stderr).to.equal(0);
  });

  for (const row of rows) {
    it(`refuses ${row.input}`, async function () {
      const name = (row.job as { metadata: { name: string } }).metadata.name;
      const result = await apply(row.job);
      expect(result.code, result.stdout).to.not.equal(0);
      const message = result.stderr.trim();
      for (const part of row.says) {
        if (typeof part === 'string') expect(message).to.contain(part);
        else expect(message).to.match(part);
      }
      const got = await cluster.kubectl(['get', 'bacljob', name, '-n', namespace]);
      expect(got.code).to.not.equal(0);
      expect(got.stderr).to.contain('NotFound');
      expect(await names(), 'no BaclJob stored').to.deep.equal([]);
      recordReliability({
        kind: 'bad-input',
        id: row.id,
        test: this.test!.fullTitle(),
        surface: 'api-server',
        input: row.input,
        message: firstLines(message),
        leftBehind: `nothing (kubectl get bacljob ${name}: NotFound; the namespace holds no BaclJob)`,
      });
    });
  }

  for (const update of updates) {
    it(`refuses an update of ${update.input} once the job exists, keeping the stored job`, async function () {
      const name = update.id;
      const created = await apply(minimalJob(name));
      expect(created.code, created.stderr).to.equal(0);
      const before = await cluster.kubectl(['get', 'bacljob', name, '-n', namespace, '-o', 'json']);
      const result = await apply(minimalJob(name, update.change));
      expect(result.code, result.stdout).to.not.equal(0);
      const message = result.stderr.trim();
      expect(message).to.contain(`${update.field} is immutable once the job exists`);
      const after = await cluster.kubectl(['get', 'bacljob', name, '-n', namespace, '-o', 'json']);
      const spec = (text: string) => (JSON.parse(text) as { spec: unknown }).spec;
      expect(spec(after.stdout), 'the stored spec is unchanged').to.deep.equal(spec(before.stdout));
      recordReliability({
        kind: 'bad-input',
        id: `job-${update.id}`,
        test: this.test!.fullTitle(),
        surface: 'api-server',
        input: `kubectl apply of a stored job with ${update.input}`,
        message: firstLines(message),
        leftBehind: 'the stored job unchanged (its spec equal before and after)',
      });
      const deleted = await cluster.kubectl(['delete', 'bacljob', name, '-n', namespace]);
      expect(deleted.code, deleted.stderr).to.equal(0);
    });
  }
});
