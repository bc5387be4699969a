import { join } from 'node:path';
import { expect } from 'chai';
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import { packageRoot, parseBaclJob, type BaclJob } from '../../../common/index.js';
import { crdPath } from '../../../operator/internal.js';
import { sharedKube, waitFor, type KubeCluster } from '../../harness/index.js';
import { minimalJob, minimalSpec, type JobManifest } from '../fixtures.js';

const group = 'bacl.dev';
const version = 'v1alpha1';
const plural = 'bacljobs';
const namespace = 'crd-test';

/** The generated CRD on the real apiserver: installation, defaults, CEL rules, /status and printer columns. */
describe('operator/crd: the BaclJob CRD on a real kube-apiserver', function () {
  this.timeout(240_000);
  let cluster: KubeCluster;
  let objects: CustomObjectsApi;

  const create = (body: JobManifest | Record<string, unknown>) =>
    objects.createNamespacedCustomObject({ group, version, namespace, plural, body }) as Promise<BaclJob>;
  const get = (name: string) =>
    objects.getNamespacedCustomObject({ group, version, namespace, plural, name }) as Promise<BaclJob>;
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('the server accepted the object'),
      (error: unknown) => {
        expect(error).to.be.instanceOf(ApiException);
        return error as ApiException<unknown>;
      },
    );

  before(async function () {
    cluster = await sharedKube();
    objects = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
    // kubectl, as a user installing the chart's CRD would: it sends every key of the YAML as written.
    const applied = await cluster.kubectl(['apply', '--server-side', '-f', join(packageRoot(), crdPath)]);
    expect(applied.code, applied.stderr).to.equal(0);
    const established = await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/bacljobs.bacl.dev',
      '--timeout=60s',
    ]);
    expect(established.code, established.stderr).to.equal(0);
    // Established means served; kubectl explain also needs the schema in the aggregated OpenAPI document,
    // which the apiserver publishes a moment later.
    // And in discovery, which kubectl caches on disk per server address: `api-resources` always asks the server
    // and refreshes that cache, so explain does not map bacljobs from a copy taken before the CRD was served.
    await waitFor(
      'the BaclJob schema in /openapi/v3 and bacljobs in discovery',
      async () => {
        const openapi = await cluster.kubectl(['get', '--raw', '/openapi/v3/apis/bacl.dev/v1alpha1']);
        if (openapi.code !== 0 || !openapi.stdout.includes('backoffLimit')) return false;
        const resources = await cluster.kubectl(['api-resources', '--api-group=bacl.dev', '-o', 'name']);
        return resources.code === 0 && resources.stdout.includes('bacljobs.bacl.dev');
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const ns = await cluster.kubectl(['create', 'namespace', namespace]);
    expect(ns.code, ns.stderr).to.equal(0);
  });

  it('is stored with its CEL rules, short name, category and status subresource', async function () {
    const result = await cluster.kubectl(['get', 'crd', 'bacljobs.bacl.dev', '-o', 'json']);
    const stored = JSON.parse(result.stdout) as {
      spec: { names: { shortNames: string[]; categories: string[] }; versions: { subresources: unknown }[] };
    };
    const text = result.stdout;
    expect(stored.spec.names.shortNames).to.deep.equal(['bj']);
    expect(stored.spec.names.categories).to.deep.equal(['all']);
    expect(stored.spec.versions[0]?.subresources).to.deep.equal({ status: {} });
    expect(text).to.contain('spec.config is immutable once the job exists');
    expect(text).to.contain('x-kubernetes-preserve-unknown-fields');
    expect(text).to.contain('x-kubernetes-int-or-string');
  });

  it('kubectl explain shows the zod descriptions and defaults', async function () {
    const result = await cluster.kubectl(['explain', 'bacljobs.spec.runPolicy.backoffLimit']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('How many times a failed stage group is restarted');
    expect(result.stdout).to.match(/FIELD:\s+backoffLimit <integer>/);
  });

  it('fills in the documented defaults, and what it stores parses with the zod schema', async function () {
    await create(minimalJob('defaults'));
    const stored = await get('defaults');
    expect(stored.spec.nodes).to.equal(1);
    expect(stored.spec.gpusPerNode).to.equal(1);
    expect(stored.spec.resume).to.equal('auto');
    expect(stored.spec.terminationGracePeriodSeconds).to.equal(120);
    expect(stored.spec.checkpoint).to.deep.equal({ everySteps: 1000, keepLast: 3 });
    expect(stored.spec.runPolicy).to.deep.equal({
      backoffLimit: 3,
      cleanPodPolicy: 'Running',
      suspend: false,
      deleteRunDataOnDelete: false,
    });
    expect(stored.spec.s3).to.include({ region: 'us-east-1', forcePathStyle: false });
    // zod fills the same defaults, so a parsed job equals what the server stored.
    expect(parseBaclJob(stored).spec).to.deep.equal(stored.spec);
  });

  it('keeps unknown keys inside spec.config and prunes them elsewhere', async function () {
    const job = minimalJob('pruned');
    const body = { ...job, spec: { ...job.spec, config: { custom: { deep: [1, 2] } }, typo: 1 } };
    await create(body);
    const stored = (await get('pruned')) as BaclJob & { spec: { typo?: number } };
    expect(stored.spec.config).to.deep.equal({ custom: { deep: [1, 2] } });
    expect(stored.spec.typo).to.equal(undefined);
  });

  const invalid: { what: string; job: JobManifest; message: string }[] = [
    {
      what: 'nodes < 1',
      job: minimalJob('zero-nodes', { nodes: 0 }),
      message: 'spec.nodes must be at least 1',
    },
    {
      what: 'gpusPerNode < 0',
      job: minimalJob('negative-gpus', { gpusPerNode: -1 }),
      message: 'spec.gpusPerNode must be at least 0',
    },
    {
      what: 'nodes > 1024 (pod names carry the node rank)',
      job: minimalJob('many-nodes', { nodes: 1025 }),
      message: 'spec.nodes must be at most 1024',
    },
    {
      what: 'gpusPerNode > 16',
      job: minimalJob('many-gpus', { gpusPerNode: 17 }),
      message: 'spec.gpusPerNode must be at most 16',
    },
    {
      what: 'an image that is no image reference',
      job: minimalJob('bad-image', { image: 'ghcr.io/Bacl/worker latest' }),
      message: 'spec.image must be an image reference',
    },
    {
      what: 'terminationGracePeriodSeconds < 1 (no time for the final checkpoint)',
      job: minimalJob('no-grace', { terminationGracePeriodSeconds: 0 }),
      message: 'spec.terminationGracePeriodSeconds must be at least 1',
    },
    {
      what: 'terminationGracePeriodSeconds > 600',
      job: minimalJob('long-grace', { terminationGracePeriodSeconds: 3600 }),
      message: 'spec.terminationGracePeriodSeconds must be at most 600',
    },
    {
      what: 'backoffLimit < 0',
      job: minimalJob('negative-backoff', { runPolicy: { backoffLimit: -1 } }),
      message: 'spec.runPolicy.backoffLimit must be at least 0',
    },
    {
      what: 'a job name that is no DNS-1035 label (leading digit)',
      job: minimalJob('9lives'),
      message: 'metadata.name must be a DNS label starting with a letter',
    },
    {
      what: 'a job name too long for derived pod names',
      job: minimalJob(`j${'x'.repeat(40)}`),
      message: 'metadata.name must be at most 40 characters',
    },
    {
      what: 'a dataset name that is no DNS label',
      job: minimalJob('bad-dataset', {
        dataset: { name: 'LVIS_v1', train: 's3://b/t/manifest.json', val: 's3://b/v/manifest.json' },
      }),
      message: 'spec.dataset.name must be a DNS label',
    },
    {
      what: 'a Secret name that is no DNS label',
      job: minimalJob('bad-secret', { s3: { uri: 's3://bacl', credentialsSecret: 'S3 creds' } }),
      message: 'spec.s3.credentialsSecret must be a DNS label',
    },
    {
      what: 'a dataset that is not on S3',
      job: minimalJob('http-dataset', {
        dataset: { name: 'lvis', train: 'https://x/manifest.json', val: 's3://b/v/manifest.json' },
      }),
      message: 'spec.dataset.train must be an s3:// URI',
    },
    {
      what: 'resume that is neither auto nor an S3 URI',
      job: minimalJob('bad-resume', { resume: 'latest' }),
      message: "spec.resume must be 'auto' or an s3:// checkpoint URI",
    },
    {
      what: 'a NATS URL of another scheme',
      job: minimalJob('bad-nats', { nats: { url: 'http://nats:4222' } }),
      message: 'spec.nats.url must be a nats:// or tls:// URL',
    },
    {
      what: 'checkpoint.everySteps < 1',
      job: minimalJob('bad-checkpoint', { checkpoint: { everySteps: 0 } }),
      message: 'spec.checkpoint.everySteps must be at least 1',
    },
    {
      what: 'a config that repeats a training stage',
      job: minimalJob('repeated-stage', {
        config: { ...minimalSpec().config, stages: ['baseline', 'baseline'] },
      }),
      message: 'stages must not repeat a stage',
    },
  ];
  for (const { what, job, message } of invalid) {
    it(`refuses ${what} with HTTP 422 and the rule's message, as zod does`, async function () {
      const error = await refusal(create(job));
      expect(error.code).to.equal(422);
      expect(String(error.body)).to.contain(message);
      expect(() => parseBaclJob({ ...job, metadata: { ...job.metadata, namespace } })).to.throw(message);
    });
  }

  for (const [field, change] of [
    ['spec.config', { config: { model: { roi_head: { num_classes: 1230 } } } }],
    ['spec.image', { image: 'ghcr.io/bacl/worker:0.2.0' }],
    ['spec.dataset', { dataset: { name: 'lvis-v05', train: 's3://b/t.json', val: 's3://b/v.json' } }],
    ['spec.nodes', { nodes: 4 }],
    ['spec.gpusPerNode', { gpusPerNode: 4 }],
  ] as const) {
    it(`refuses an update of ${field} once the job exists`, async function () {
      const name = `immutable-${field.slice(5).toLowerCase()}`;
      const created = await create(minimalJob(name));
      const error = await refusal(
        objects.replaceNamespacedCustomObject({
          group,
          version,
          namespace,
          plural,
          name,
          body: { ...created, spec: { ...created.spec, ...change } },
        }),
      );
      expect(error.code).to.equal(422);
      expect(String(error.body)).to.contain(`${field} is immutable once the job exists`);
    });
  }

  it('accepts an update of the run policy (suspend, backoffLimit)', async function () {
    const created = await create(minimalJob('mutable-policy'));
    const updated = (await objects.replaceNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: 'mutable-policy',
      body: {
        ...created,
        spec: { ...created.spec, runPolicy: { ...created.spec.runPolicy, suspend: true } },
      },
    })) as BaclJob;
    expect(updated.spec.runPolicy.suspend).to.equal(true);
  });

  it('stores status only through /status, and validates it there', async function () {
    const created = await create(minimalJob('status-writes'));
    const viaMain = (await objects.replaceNamespacedCustomObject({
      group,
      version,
      namespace,
      plural,
      name: 'status-writes',
      body: { ...created, status: { state: 'Running' } },
    })) as BaclJob;
    expect(viaMain.status).to.equal(undefined);

    const writeStatus = (base: BaclJob, status: Record<string, unknown>) =>
      objects.replaceNamespacedCustomObjectStatus({
        group,
        version,
        namespace,
        plural,
        name: 'status-writes',
        body: { ...base, status },
      }) as Promise<BaclJob>;
    const viaStatus = await writeStatus(viaMain, { state: 'Running', stage: 'classifier', restarts: 1 });
    expect(viaStatus.status).to.include({ state: 'Running', stage: 'classifier', restarts: 1 });
    const error = await refusal(writeStatus(viaStatus, { state: 'Exploded' }));
    expect(error.code).to.equal(422);
    expect(String(error.body)).to.contain('status.state');
  });

  describe('kubectl get', function () {
    before(async function () {
      const created = await create(minimalJob('printed', { nodes: 2, gpusPerNode: 8 }));
      await objects.replaceNamespacedCustomObjectStatus({
        group,
        version,
        namespace,
        plural,
        name: 'printed',
        body: {
          ...created,
          status: {
            state: 'Succeeded',
            stage: 'evaluate',
            restarts: 2,
            workers: { desired: 1, ready: 0, active: 0, succeeded: 1, failed: 0, summary: '0/1' },
            progress: {
              stage: 'evaluate',
              step: 500,
              totalSteps: 500,
              percent: 100,
              loss: 0.8123,
              summary: '100%',
            },
            results: {
              AP: 0.2631,
              APr: 0.1874,
              uri: 's3://bacl/runs/crd-test/printed/uid/eval/metrics.json',
            },
          },
        },
      });
    });

    const table = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/));
    const row = (rows: string[][], name: string) => rows.find((cells) => cells[0] === name);

    it('bacljobs prints STAGE, STATE, WORKERS, PROGRESS, AP, APR, AGE', async function () {
      const result = await cluster.kubectl(['get', 'bacljobs', '-n', namespace]);
      expect(result.code, result.stderr).to.equal(0);
      const rows = table(result.stdout);
      expect(rows[0]).to.deep.equal(['NAME', 'STAGE', 'STATE', 'WORKERS', 'PROGRESS', 'AP', 'APR', 'AGE']);
      expect(row(rows, 'printed')?.slice(0, 7)).to.deep.equal([
        'printed',
        'evaluate',
        'Succeeded',
        '0/1',
        '100%',
        '0.2631',
        '0.1874',
      ]);
      // A job the operator has not seen yet prints empty cells (so only NAME and AGE remain), not an error.
      expect(row(rows, 'defaults')).to.have.length(2);
    });

    it('-o wide adds RESTARTS and LOSS before AGE', async function () {
      const result = await cluster.kubectl(['get', 'bj', 'printed', '-n', namespace, '-o', 'wide']);
      expect(result.code, result.stderr).to.equal(0);
      const rows = table(result.stdout);
      expect(rows[0]).to.deep.equal([
        'NAME',
        'STAGE',
        'STATE',
        'WORKERS',
        'PROGRESS',
        'AP',
        'APR',
        'RESTARTS',
        'LOSS',
        'AGE',
      ]);
      expect(rows[1]?.slice(0, 9)).to.deep.equal([
        'printed',
        'evaluate',
        'Succeeded',
        '0/1',
        '100%',
        '0.2631',
        '0.1874',
        '2',
        '0.8123',
      ]);
    });

    it('kubectl get all lists BaclJobs (category all)', async function () {
      const result = await cluster.kubectl(['get', 'all', '-n', namespace]);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.contain('bacljob.bacl.dev/printed');
    });
  });
});

/** Polls a readiness check (not an assertion about speed): up to 60 s, then fails naming what never came. */
