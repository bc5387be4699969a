// Per-job NATS credentials through the operator on the real apiserver (ADR 0038): the controller, given the
// operator-mode nats-server's account signing key, creates the job's credentials Secret (owned by the job), the
// pods mount it, and a container connects with it: refused on a neighbour's subject, heard by the operator's own
// minted user on its progress subject.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { CoreV1Api } from '@kubernetes/client-node';
import { packageRoot } from '../../../common/index.js';
import { credsJwt, decodeJwt, main, NatsUserMinter } from '../../../operator/internal.js';
import {
  makeWorkDir,
  startNats,
  startPodRunner,
  type NatsServer,
  type PodRunner,
} from '../../harness/index.js';
import { helmTemplate } from '../../operator/chart/helm.js';
import {
  createJob,
  eventsOf,
  getJob,
  newNamespace,
  podsOf,
  startOperator,
  stateOf,
  testWorld,
  waitFor,
  type RunningOperator,
  type TestWorld,
} from '../../operator/controller/env.js';
import { recordReliability } from '../reliability/entries.js';

// No import.meta (see test/e2e/operator-worker.test.ts): tsx by its absolute URL, since the pod runner starts the
// container in the pod's own directory.
const root = packageRoot();
const probeCommand = [
  process.execPath,
  '--import',
  pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href,
  join(root, 'test', 'e2e', 'security', 'creds-probe.ts'),
];

describe('e2e security: the operator mints a job its NATS credentials (real apiserver, operator-mode nats-server)', function () {
  this.timeout(120_000);
  let w: TestWorld;
  let nats: NatsServer;
  let runner: PodRunner;
  let operator: RunningOperator | undefined;

  before(async function () {
    w = await testWorld();
    nats = await startNats({ jwt: true });
    runner = await startPodRunner(w.kubeConfig);
  });
  after(async function () {
    await operator?.stop();
    await runner?.stop();
    await nats?.stop();
  });

  it("creates the job's Secret once (also across an operator restart), its pods mount it, and the worker connects with it (refused elsewhere, heard by the operator)", async function () {
    const namespace = await newNamespace(w, 'natsjwt');
    const options = {
      workerCommand: probeCommand,
      nats: {
        url: nats.url,
        periodSeconds: 3600,
        minter: NatsUserMinter.fromSeed(nats.jwt!.signingSeed, nats.jwt!.account),
      },
    };
    operator = startOperator(w, namespace, options);
    const created = await createJob(w, namespace, 'secure', {
      nodes: 1,
      gpusPerNode: 0,
      nats: { url: nats.url },
    });

    const progressed = await waitFor(
      "the probe's progress in the job's status",
      async () => {
        const job = await getJob(w, namespace, 'secure');
        return (job?.status?.progress?.step ?? 0) > 0 ? job : undefined;
      },
      { last: async () => stateOf(await getJob(w, namespace, 'secure')) },
    );
    const uid = created.metadata.uid ?? '';
    const secretName = `secure-nats-${uid.slice(0, 8)}-0`;
    const secret = await w.kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: secretName, namespace });
    const [pod] = await podsOf(w, namespace, 'secure');
    const logs = runner.logs(namespace, pod?.metadata?.name ?? '');
    const events = (await eventsOf(w, namespace, 'secure')).map((e) => `${e.reason}: ${e.message}`);
    const operatorLogs = [...operator.logs];
    await operator.stop();
    // A restarted operator remembers no Secret (it cannot read them): it asks to create the job's once more and
    // takes AlreadyExists as done, so the job keeps running on the same Secret and nothing fails.
    operator = startOperator(w, namespace, options);
    const restarted = operator;
    // Two status writes by the new operator: one key is never reconciled twice at once, so the first one's
    // actions (the create answered AlreadyExists) have finished when the second is seen.
    let step = progressed.status?.progress?.step ?? 0;
    for (const write of ['first', 'second']) {
      step = await waitFor(`the restarted operator's ${write} progress write`, async () => {
        const now = (await getJob(w, namespace, 'secure'))?.status?.progress?.step ?? 0;
        return now > step ? now : undefined;
      });
    }
    const job = JSON.stringify(await getJob(w, namespace, 'secure'));
    operatorLogs.push(...restarted.logs);
    await operator.stop();
    operator = undefined;
    const after = await podsOf(w, namespace, 'secure');
    const eventsAfter = (await eventsOf(w, namespace, 'secure')).map((e) => e.reason);

    expect(secret.metadata?.ownerReferences?.[0]).to.include({ kind: 'BaclJob', uid, controller: true });
    expect(secret.immutable).to.equal(true);
    const claims = decodeJwt(credsJwt(Buffer.from(secret.data?.['nats.creds'] ?? '', 'base64').toString()));
    expect(claims.nats.pub).to.deep.equal({ allow: [`bacl.${namespace}.secure.>`] });
    expect(claims.nats.sub).to.deep.equal({ allow: [`bacl.${namespace}.secure.>`] });
    expect(claims.nats.issuer_account).to.equal(nats.jwt!.account);
    expect(claims.exp).to.be.a('number');
    expect(pod?.spec?.volumes?.find((v) => v.name === 'nats-credentials')?.secret?.secretName).to.equal(
      secretName,
    );
    expect(pod?.spec?.containers[0]?.env?.find((e) => e.name === 'NATS_CREDS')?.value).to.equal(
      '/etc/bacl/nats/nats.creds',
    );
    expect(logs).to.contain(
      `"refused":"Permissions Violation for Publish to \\"bacl.${namespace}.secure-neighbour.0.ctl\\""`,
    );
    expect(logs).to.contain('"event":"connected"');
    expect(progressed.status?.progress?.stage).to.equal('representation');
    const minted = events.find((e) => e.startsWith('CreatedNatsCredentials'));
    expect(minted).to.match(
      new RegExp(`^CreatedNatsCredentials: Created Secret ${secretName}: NATS user U[A-Z2-7]{55} `),
    );
    // The credentials never appear in events, the operator's log or the job: only the user's public key.
    const seedOrJwt = /SU[A-Z2-7]{50,}|eyJ0eXAi/;
    for (const text of [...events, ...operatorLogs, job]) expect(text).to.not.match(seedOrJwt);
    expect(operatorLogs.filter((line) => line.includes('Created NATS credentials'))).to.have.length(1);
    expect(operatorLogs.filter((line) => line.includes('Reconcile failed'))).to.deep.equal([]);
    expect(eventsAfter.filter((reason) => reason === 'CreatedNatsCredentials')).to.have.length(1);
    expect(after.map((p) => p.metadata?.name)).to.deep.equal([pod?.metadata?.name]);

    recordReliability({
      kind: 'security',
      id: 'nats-per-job-secret',
      test: this.test!.fullTitle(),
      property:
        "the operator mints each job a NATS user limited to bacl.<ns>.<job>.> and delivers it to the job's pods by a per-job Secret the job owns",
      evidence:
        `the controller (signing key of the operator-mode nats-server's account) created Secret ${secretName} ` +
        `(ownerReference to the BaclJob, immutable, a .creds whose JWT allows pub/sub on bacl.${namespace}.secure.> ` +
        `only and expires); the worker pod mounted it at /etc/bacl/nats with NATS_CREDS pointing at it; the ` +
        `container's publish to a neighbour job's abort subject was refused ("Permissions Violation"), and its ` +
        `progress reports, sent with the worker's NatsProgressSink, reached status.progress through the ` +
        `operator's own minted user (step ${progressed.status?.progress?.step}). Events, the operator's log and ` +
        `the BaclJob name only the user's public key, never its seed or JWT. A restarted operator (which cannot ` +
        `read Secrets) asked to create it again and took AlreadyExists as done: one Secret, one ` +
        `CreatedNatsCredentials event, no failed reconcile, the same pod.`,
    });
  });
  it('the bacl-operator process, as the chart ServiceAccount with per-job NATS users on, creates the Secret with create-only rights', async function () {
    const system = await newNamespace(w, 'natsjwt-system');
    const jobs = await newNamespace(w, 'natsjwt-jobs');
    const account = nats.jwt!.account;
    await w.core.createNamespacedServiceAccount({ namespace: system, body: { metadata: { name: 'bacl' } } });
    const rbac = await helmTemplate('bacl', system, [
      '--show-only', 'templates/rbac.yaml', '--set', `watchNamespace=${jobs}`,
      '--set', 'workerDefaults.nats.jwt.signingKeySecret=bacl-nats-signing',
      '--set', `workerDefaults.nats.jwt.account=${account}`,
    ]); // prettier-ignore
    const applied = await w.cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: rbac });
    expect(applied.code, applied.stderr).to.equal(0);
    const token = await w.core.createNamespacedServiceAccountToken({
      namespace: system,
      name: 'bacl',
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    const dir = makeWorkDir('natsjwt-operator');
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'c', cluster: { server: w.cluster.server, 'certificate-authority': w.cluster.pki.caCert } },
        ],
        users: [{ name: 'sa', user: { token: token.status?.token } }],
        contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa' } }],
        'current-context': 'sa',
      }),
    );
    // The signing key as the chart delivers it: a file (mounted from a Secret), never read through the API.
    const seedFile = join(dir, 'seed');
    writeFileSync(seedFile, `${nats.jwt!.signingSeed}\n`, { mode: 0o600 });
    const stop = new AbortController();
    const logs: string[] = [];
    const exited = main(
      [
        '--kubeconfig', kubeconfig, '--namespace', jobs, '--metrics-addr', '0', '--health-addr', '0',
        `--nats-url=${nats.url}`, `--nats-signing-key-file=${seedFile}`, `--nats-account=${account}`,
        '--nats-credentials-days=1',
      ], // prettier-ignore
      { stdout: () => undefined, stderr: (text) => logs.push(text) },
      { signal: stop.signal, controller: { workerCommand: ['/bin/sh', '-c', 'exec sleep 60'] } },
    );
    try {
      const created = await createJob(w, jobs, 'sa', { nodes: 1, gpusPerNode: 0, nats: { url: nats.url } });
      await waitFor(
        'the job to run',
        async () => (await getJob(w, jobs, 'sa'))?.status?.state === 'Running',
        {
          last: () => Promise.resolve(logs.join('')),
        },
      );
      const secrets = (await w.core.listNamespacedSecret({ namespace: jobs })).items.map(
        (x) => x.metadata?.name ?? '',
      );
      expect(secrets).to.include(`sa-nats-${(created.metadata.uid ?? '').slice(0, 8)}-0`);
    } finally {
      stop.abort();
    }
    expect(await exited, logs.join('')).to.equal(0);
    expect(logs.join('')).to.not.match(/forbidden/i);
    const can = async (verb: string) =>
      (
        await w.cluster.kubectl([
          'auth',
          'can-i',
          verb,
          'secrets',
          '-n',
          jobs,
          '--as',
          `system:serviceaccount:${system}:bacl`,
        ])
      ).stdout // prettier-ignore
        .trim();
    expect(await can('create')).to.equal('yes');
    expect(await can('list')).to.equal('no');
    expect(await can('update')).to.equal('no');
    recordReliability({
      kind: 'security',
      id: 'nats-credentials-create-only',
      test: this.test!.fullTitle(),
      property:
        'minting per-job NATS credentials needs only create on Secrets; the signing key reaches the operator as a file',
      evidence:
        `bacl-operator ran as the chart's ServiceAccount under the chart's Role (workerDefaults.nats.jwt on), the ` +
        `signing key given as a file: it created the job's credentials Secret with no "forbidden" in its log; ` +
        `kubectl auth can-i for that ServiceAccount: create secrets ${await can('create')}, list ` +
        `${await can('list')}, update ${await can('update')}.`,
    });
  });
});
