// Issue #16, security: a job's credentials come only from Secret references and never appear in the BaclJob,
// its Events, the operator's log, the workers' logs, the pods or the status. One job runs end to end, as users
// run it (`baclctl data prepare`, `baclctl submit tiny --nodes 2 --gpus 1 --wait`, then `baclctl delete
// --purge-checkpoints`), with the real bacl-worker in every pod and the operator's controller running as the
// chart's ServiceAccount with the chart's RBAC (a Role in the job namespace: no Secret at all), so the same run
// proves those rules suffice for the whole life of a job: both training stages, the evaluate stage's results
// through the termination message, and the run data purged by the purge pod with the job's own credentials.
// The job runs on an operator-mode (JWT) nats-server, as with the chart's per-job NATS users on (ADR 0038): the
// controller holds the account's signing key and the chart's Role then adds create (only) on Secrets; it mints
// the job its own NATS user in a Secret the job owns, and the ranks rendezvous and all-reduce as that user (the
// server admits no one else). Then every text the run produced is searched for every credential involved (the
// S3 keys, the minted .creds file with its JWT and seed, the operator's own user's JWT and seed, the account
// signing key's seed), raw and base64-encoded.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { loadTrainingConfig, packageRoot, type BaclJob } from '../../../common/index.js';
import { ensureSynthDataset, synthOptionsFromConfig } from '../../../data/index.js';
import {
  credsJwt,
  decodeJwt,
  NatsUserMinter,
  operatorUserClaims,
  purgePodName,
} from '../../../operator/internal.js';
import {
  makeWorkDir,
  startNats,
  startPodRunner,
  waitFor,
  type NatsServer,
  type PodRunner,
} from '../../harness/index.js';
import {
  getJob,
  newNamespace,
  podsOf,
  startOperator,
  stateOf,
  testWorld,
  type RunningOperator,
  type TestWorld,
} from '../../operator/controller/env.js';
import { recordReliability } from '../reliability/entries.js';
import { installOperatorIdentity, type OperatorIdentity } from './operator-identity.js';

const root = packageRoot();

/** As test/e2e/operator-worker.test.ts: a few steps per stage, enough to run every piece. */
const shortSchedule = [
  'schedule.representation.iterations=6',
  'schedule.representation.warmup_iters=2',
  'schedule.representation.lr_steps=[4]',
  'schedule.classifier.iterations=4',
  'schedule.classifier.lr_steps=[3]',
  'checkpoint.every_steps=3',
  'data.synth.val_images=24',
];

const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
/**
 * The real bacl-worker from these sources, as the image's entrypoint would run it: the worker pods get no
 * args (the wasm backend then, which needs no native build); the purge pod's args (`purge <prefix>/`) pass
 * through as they are.
 */
const workerCommand = [
  '/bin/sh',
  '-c',
  `if [ "$1" = purge ]; then exec '${process.execPath}' --import '${tsx}' '${join(root, 'worker', 'entry.ts')}' "$@"; ` +
    `else exec '${process.execPath}' --import '${tsx}' '${join(root, 'worker', 'entry.ts')}' --backend wasm; fi`,
  'bacl-worker',
];

/** The credentials a .creds file holds (its JWT and its seed), or none when `text` is not one. */
function credsParts(text: string): string[] {
  const seed = /-----BEGIN USER NKEY SEED-----\s*\n\s*(\S+)\s*\n/.exec(text)?.[1];
  return seed === undefined ? [] : [credsJwt(text), seed];
}

/** The connections (open and closed) nats-server's monitoring reports as made with the user JWT `jwt`. */
async function connectionsOf(nats: NatsServer, jwt: string): Promise<number> {
  const response = await fetch(`${nats.monitorUrl}/connz?state=all&auth=true&limit=10000`);
  const connz = (await response.json()) as { connections?: { jwt?: string }[] };
  return (connz.connections ?? []).filter((c) => c.jwt === jwt).length;
}

describe('e2e/security: credentials never appear in the job, events, logs, pods or status (ADR 0037)', function () {
  this.timeout(1_800_000);
  const name = 'creds-e2e';
  let w: TestWorld;
  let namespace: string;
  let id: OperatorIdentity;
  let runner: PodRunner | undefined;
  let operator: RunningOperator | undefined;
  let nats: NatsServer;
  /** The operator's own NATS user, minted here so the test knows what to search for. */
  let operatorUser: { creds: string; user: string };
  const saved: Record<string, string | undefined> = {};

  before(async function () {
    process.env.NODE_ENV = 'test'; // oclif loads the commands from the TypeScript sources
    w = await testWorld();
    namespace = await newNamespace(w, 'sec-creds');
    // Operator mode: only users signed by the account's signing key get in (startNats, ADR 0038).
    nats = await startNats({ jwt: true });
    id = await installOperatorIdentity(w, namespace, { natsAccount: nats.jwt!.account });
    const dir = makeWorkDir('sec-creds');
    const { config } = loadTrainingConfig('tiny', { sets: shortSchedule });
    if (config.data.synth === undefined) throw new Error('configs/tiny.yaml has no data.synth');
    const synth = await ensureSynthDataset(join(dir, 'synth'), synthOptionsFromConfig(config.data.synth));
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
          `s3://${w.bucket}/datasets/security/${split}`,
          '--s3-endpoint',
          w.s3.endpoint,
        ],
        { root },
      );
      if (error) throw error;
    }
    runner = await startPodRunner(w.kubeConfig, { namespaces: [namespace] });
    // As the chart's ServiceAccount: every call the controller makes goes through the chart's Role. With the
    // signing key it mints the job's user; its own user (pub nothing, sub progress) comes as a creds file would
    // (--nats-operator-credentials-file), so its JWT and seed are known here.
    const minter = NatsUserMinter.fromSeed(nats.jwt!.signingSeed, nats.jwt!.account);
    const now = Math.floor(Date.now() / 1000);
    operatorUser = minter.mint((keys) => operatorUserClaims({ issuedAt: now, expires: now + 86_400 }, keys));
    const operatorCreds = new TextEncoder().encode(operatorUser.creds);
    operator = startOperator(w, namespace, {
      workerCommand,
      kubeConfig: id.kubeConfig,
      nats: { url: nats.url, minter, operatorCreds: () => operatorCreds },
    });
  });

  after(async function () {
    await operator?.stop();
    await runner?.stop();
    await nats?.stop();
    for (const [variable, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[variable];
      else process.env[variable] = value;
    }
  });

  it('runs a job to Succeeded and purges it as the chart ServiceAccount, and no credential leaks', async function () {
    const kube = ['--kubeconfig', w.cluster.kubeconfigPath, '-n', namespace];
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
        '--dataset',
        'security',
        '--s3-uri',
        `s3://${w.bucket}`,
        '--s3-endpoint',
        w.s3.endpoint,
        '--s3-secret',
        's3-credentials',
        '--nats-url',
        nats.url,
        '--wait',
        ...kube,
      ],
      { root },
    );
    const job = (await getJob(w, namespace, name)) as BaclJob;
    const pods = await podsOf(w, namespace, name);
    const logsOf = (pod: string) => {
      try {
        return runner?.logs(namespace, pod) ?? '';
      } catch {
        return '';
      }
    };
    const context = () =>
      `${JSON.stringify(stateOf(job), null, 2)}\n${submitted.stderr.slice(-2000)}\n` +
      pods
        .map((pod) => `--- ${pod.metadata?.name}\n${logsOf(pod.metadata?.name ?? '').slice(-3000)}`)
        .join('\n') +
      `\n--- operator\n${operator?.logs.slice(-20).join('')}`;
    if (submitted.error || job.status?.state !== 'Succeeded') expect.fail(context());
    expect(job.status?.results?.AP, 'status.results from the termination message').to.be.a('number');
    const evaluator = pods.find((pod) => pod.metadata?.name === `${name}-eval-0-0`);
    const message = evaluator?.status?.containerStatuses?.[0]?.state?.terminated?.message ?? '';
    const reported = JSON.parse(message) as { AP: number };
    expect(job.status?.results?.AP).to.be.closeTo(reported.AP, 5e-5);

    // The job's NATS user: minted by the operator into the job's Secret for period 0, which every pod of the
    // job mounted (NATS_CREDS pointing into it). Read now, as the admin: deleting the job deletes it.
    const uid = job.metadata.uid ?? '';
    const mintedName = `${name}-nats-${uid.slice(0, 8)}-0`;
    expect(job.spec.nats.credentialsSecret, 'the job names no NATS Secret of its own').to.equal(undefined);
    const secretsNow = (await w.core.listNamespacedSecret({ namespace })).items;
    expect(
      secretsNow.map((s) => s.metadata?.name).filter((n) => n?.startsWith(`${name}-nats-`)),
    ).to.deep.equal([mintedName]);
    const minted = secretsNow.find((s) => s.metadata?.name === mintedName)!;
    expect(minted.metadata?.ownerReferences?.[0]).to.include({ kind: 'BaclJob', uid, controller: true });
    const mintedCreds = Buffer.from(minted.data?.['nats.creds'] ?? '', 'base64').toString('utf8');
    const jobJwt = credsJwt(mintedCreds);
    const jobUser = decodeJwt(jobJwt);
    expect(jobUser.nats.pub).to.deep.equal({ allow: [`bacl.${namespace}.${name}.>`] });
    expect(jobUser.nats.issuer_account).to.equal(nats.jwt!.account);
    expect(pods.length, 'pods of the job').to.be.greaterThanOrEqual(3);
    for (const pod of pods) {
      const podName = pod.metadata?.name;
      expect(
        pod.spec?.volumes?.find((v) => v.name === 'nats-credentials')?.secret?.secretName,
        `${podName}'s NATS credentials volume`,
      ).to.equal(mintedName);
      expect(
        pod.spec?.containers[0]?.env?.find((e) => e.name === 'NATS_CREDS')?.value,
        `${podName}'s NATS_CREDS`,
      ).to.equal('/etc/bacl/nats/nats.creds');
      expect(pod.spec?.containers[0]?.env?.find((e) => e.name === 'NATS_URL')?.value).to.equal(nats.url);
    }
    // The server saw the ranks connect as the minted user (it admits no unsigned client), and the operator as
    // its own user.
    const jobConnections = await connectionsOf(nats, jobJwt);
    const operatorConnections = await connectionsOf(nats, credsJwt(operatorUser.creds));
    expect(jobConnections, "connections as the job's minted user").to.be.greaterThanOrEqual(2);
    expect(operatorConnections, "connections as the operator's user").to.be.greaterThanOrEqual(1);

    // Deleting with --purge-checkpoints: the purge pod empties the run prefix; the dataset stays.
    const run = `runs/${namespace}/${name}/${job.metadata.uid}/`;
    const count = async (prefix: string) =>
      (await w.s3.client().send(new ListObjectsV2Command({ Bucket: w.bucket, Prefix: prefix }))).KeyCount ??
      0;
    expect(await count(run)).to.be.greaterThan(0);
    const deleted = await runCommand(['delete', name, '--purge-checkpoints', ...kube], { root });
    expect(deleted.error).to.equal(undefined);
    await waitFor('the job to be gone', async () => (await getJob(w, namespace, name)) === undefined, {
      timeoutMs: 300_000,
      last: () => Promise.resolve({ logs: operator?.logs.slice(-5), purge: logsOf(purgePodName(name)) }),
    });
    expect(await count(run), 'objects left under the run prefix').to.equal(0);
    expect(await count('datasets/security/')).to.be.greaterThan(0);
    const purgeLog = logsOf(purgePodName(name));
    expect(purgeLog).to.match(/purge: done: \d+ object\(s\) deleted under s3:\/\//);

    // Everything the run produced, as text.
    const events = await w.core.listNamespacedEvent({ namespace });
    // The one Secret write the controller made: the minted credentials, once.
    const mintedEvents = events.items.filter((e) => e.reason === 'CreatedNatsCredentials');
    expect(mintedEvents.map((e) => e.message?.split(':')[0])).to.deep.equal([`Created Secret ${mintedName}`]);
    const texts: Record<string, string> = {
      'the BaclJob (spec and status)': JSON.stringify(job),
      'the Events of the namespace': JSON.stringify(events.items),
      "the operator's log": operator?.logs.join('') ?? '',
      'the pods (spec and status, termination messages included)': JSON.stringify(pods),
      "the workers' logs": pods.map((pod) => logsOf(pod.metadata?.name ?? '')).join('\n'),
      "the purge pod's log": purgeLog,
      "baclctl's output": [submitted.stdout, submitted.stderr, deleted.stdout, deleted.stderr].join('\n'),
    };
    expect(texts["the workers' logs"]).to.match(/bbox_mAP|Average Precision/);

    // Every value of every Secret the job names or was given (the S3 one, the minted NATS one), the operator's
    // own NATS user and the account signing key it holds: raw and base64 (a Secret's data encoding), and a
    // creds file's JWT and seed each as a credential of its own.
    const secretNames = [job.spec.s3.credentialsSecret, job.spec.nats.credentialsSecret, mintedName].filter(
      (secret): secret is string => secret !== undefined,
    );
    const raw: string[] = [operatorUser.creds, nats.jwt!.signingSeed];
    for (const secretName of secretNames) {
      const secret =
        secretName === mintedName
          ? minted
          : await w.core.readNamespacedSecret({ namespace, name: secretName });
      for (const encoded of Object.values(secret.data ?? {}))
        raw.push(Buffer.from(encoded, 'base64').toString());
    }
    const credentials = raw.flatMap((value) => [value, ...credsParts(value)]);
    const values = credentials.flatMap((value) => [value, Buffer.from(value).toString('base64')]);
    expect(values).to.include(w.s3.secretAccessKey).and.include(w.s3.accessKeyId);
    expect(values)
      .to.include.members(credsParts(mintedCreds))
      .and.include.members(credsParts(operatorUser.creds));
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(texts))
      for (const value of values)
        if (value.length >= 8 && text.includes(value)) leaks.push(`${where} holds a credential`);
    expect(leaks).to.deep.equal([]);

    // The rules the controller ran under: Secrets only created (the minted one), never read.
    const secretVerbs = id.rbac
      .flatMap((doc) => (doc.rules ?? []) as { resources?: string[]; verbs?: string[] }[])
      .filter((rule) => rule.resources?.includes('secrets'))
      .flatMap((rule) => rule.verbs ?? []);
    expect(secretVerbs).to.deep.equal(['create']);

    const bytes = Object.values(texts).reduce((sum, text) => sum + text.length, 0);
    recordReliability({
      kind: 'security',
      id: 'credentials-never-appear',
      test: this.test?.titlePath().join(' > ') ?? 'credentials',
      property:
        'S3 and NATS credentials come only from Secret references and never appear in the BaclJob, its Events, the operator log, the worker logs, the pods or the status',
      evidence:
        `A tiny job (2 nodes, real bacl-worker) ran to Succeeded (AP ${job.status?.results?.AP}) and was deleted with --purge-checkpoints; ` +
        `on an operator-mode (JWT) nats-server, its ranks connecting as the NATS user the operator minted into the job's Secret ${mintedName} ` +
        `(every one of its ${pods.length} pods mounted it, NATS_CREDS pointing into it; nats-server counted ${jobConnections} connections as that user ` +
        `and ${operatorConnections} as the operator's own); ` +
        `${Object.keys(texts).length} texts (${bytes} characters: ${Object.keys(texts).join(', ')}) were searched for ` +
        `${values.length} values (${credentials.length} credentials raw and base64: the Secret(s) ${secretNames.join(', ')}, ` +
        `the JWT and seed of the minted creds file and of the operator's own user, the account signing key's seed): none found`,
    });
    recordReliability({
      kind: 'security',
      id: 'operator-rules-suffice',
      test: this.test?.titlePath().join(' > ') ?? 'credentials',
      property:
        "The chart's least-privilege rules, without reading any Secret, suffice for a job's whole life",
      evidence:
        `The controller ran as the chart's ServiceAccount (Role in the job namespace rendered with per-job NATS users on: on Secrets only create, ` +
        `used once for the job's minted NATS credentials) through both training stages, ` +
        `the evaluate stage (results from the evaluate pod's termination message), and deletion with purge (pod ${purgePodName(name)} ` +
        `deleted the run prefix with the job's own credentials; 0 objects left); its log has ${operator?.logs.filter((line) => /forbidden/i.test(line)).length ?? 0} 'forbidden' lines`,
    });
    expect(operator?.logs.join('')).to.not.match(/forbidden/i);
  });
});
