import { expect } from 'chai';
import { minimalJob } from '../fixtures.js';
import { bacljobs } from '../../../operator/internal.js';
import {
  getJob,
  newNamespace,
  podsOf,
  waitFor,
  type RunningOperator,
  type TestWorld,
  controllerSuite,
} from './env.js';

/** A job that leaves image, NATS and the S3 Secret to the operator (the CRD lets it). */
function bareJob(w: TestWorld, name: string, namespace: string) {
  const job = minimalJob(name, { s3: { uri: `s3://${w.bucket}`, credentialsSecret: 'unused' } });
  const { image: _image, nats: _nats, ...spec } = job.spec;
  const { credentialsSecret: _secret, ...s3 } = spec.s3;
  return { ...job, metadata: { name, namespace }, spec: { ...spec, s3 } };
}

// The operator's worker defaults (the chart's workerDefaults) on the real apiserver: the CRD accepts a job
// without them, the operator writes them into its spec, and the pods run with them.
describe('operator/controller: worker defaults', function () {
  this.timeout(120_000);
  const suite = controllerSuite();
  let operator: RunningOperator | undefined;

  it('writes the defaults into a job that leaves them out, and its pods use them', async function () {
    const namespace = await newNamespace(suite.w, 'defaults');
    await suite.w.custom.createNamespacedCustomObject({
      ...bacljobs,
      namespace,
      body: bareJob(suite.w, 'bare', namespace),
    });
    operator = suite.start(namespace, {
      workerDefaults: {
        image: 'registry.local/bacl/worker:dev',
        natsUrl: suite.w.natsUrl,
        s3Endpoint: suite.w.s3.endpoint,
        s3CredentialsSecret: 's3-credentials',
      },
    });
    await waitFor(
      'the job to get its defaults and pods',
      async () => (await podsOf(suite.w, namespace, 'bare')).length > 0,
      {
        last: () => Promise.resolve(operator?.logs.join('') ?? ''),
      },
    );
    const job = await getJob(suite.w, namespace, 'bare');
    expect(job?.spec.image).to.equal('registry.local/bacl/worker:dev');
    expect(job?.spec.nats).to.deep.equal({ url: suite.w.natsUrl });
    expect(job?.spec.s3).to.deep.include({
      endpoint: suite.w.s3.endpoint,
      forcePathStyle: true,
      credentialsSecret: 's3-credentials',
    });
    const [pod] = await podsOf(suite.w, namespace, 'bare');
    const container = pod?.spec?.containers[0];
    expect(container?.image).to.equal('registry.local/bacl/worker:dev');
    expect(container?.envFrom).to.deep.equal([{ secretRef: { name: 's3-credentials' } }]);
    expect(container?.env?.find((v) => v.name === 'NATS_URL')?.value).to.equal(suite.w.natsUrl);
    expect(operator.logs.join('')).to.contain('Defaulted worker settings');
  });

  it('without defaults, skips such a job and says which fields and flags, in its status too', async function () {
    const namespace = await newNamespace(suite.w, 'no-defaults');
    await suite.w.custom.createNamespacedCustomObject({
      ...bacljobs,
      namespace,
      body: bareJob(suite.w, 'bare', namespace),
    });
    operator = suite.start(namespace);
    await waitFor('the operator to skip the job', () =>
      Promise.resolve(operator?.logs.join('').includes('Skipped job without worker settings') ?? false),
    );
    const logs = operator.logs.join('');
    for (const flag of ['--worker-image', '--nats-url', '--s3-credentials-secret'])
      expect(logs).to.contain(flag);
    expect(await podsOf(suite.w, namespace, 'bare')).to.deep.equal([]);
    // Not only logged: the job's status says why nothing happens (ReconcileFailed, docs/adr/0035).
    const skipped = await waitFor('ReconcileFailed on the job', async () => {
      const job = await getJob(suite.w, namespace, 'bare');
      return job?.status?.conditions?.find((c) => c.type === 'ReconcileFailed' && c.status === 'True')
        ? job
        : undefined;
    });
    expect(skipped.spec.image).to.equal(undefined);
    const condition = skipped.status?.conditions?.find((c) => c.type === 'ReconcileFailed');
    expect(condition?.reason).to.equal('WorkerSettingsMissing');
    for (const flag of [
      'spec.image',
      '--worker-image',
      'spec.nats.url',
      '--nats-url',
      '--s3-credentials-secret',
    ])
      expect(condition?.message).to.contain(flag);
    expect(condition?.message).to.match(
      /\(the operator waits for the job \(or its own settings\) to change\)$/,
    );

    // An operator started with the defaults fills them in, runs the job and clears the condition.
    await operator.stop();
    operator = suite.start(namespace, {
      workerDefaults: {
        image: 'registry.local/bacl/worker:dev',
        natsUrl: suite.w.natsUrl,
        s3Endpoint: suite.w.s3.endpoint,
        s3CredentialsSecret: 's3-credentials',
      },
    });
    const cleared = await waitFor('the pods and ReconcileFailed cleared', async () => {
      const job = await getJob(suite.w, namespace, 'bare');
      const done = job?.status?.conditions?.find((c) => c.type === 'ReconcileFailed' && c.status === 'False');
      return done && (await podsOf(suite.w, namespace, 'bare')).length > 0 ? done : undefined;
    });
    expect(cleared.reason).to.equal('Reconciled');
  });
});
