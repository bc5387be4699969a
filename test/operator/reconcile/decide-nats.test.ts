import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import {
  decide,
  defaultNatsPeriodSeconds,
  mintedCredentials,
  type Action,
} from '../../../operator/internal.js';
import { at, job, observed, pod, summarize, t0, withStatus } from './fixtures.js';

// Per-job NATS credentials (ADR 0038) as decide() asks for them: which jobs, which Secret, until when, and that
// pods mount it. The fixture job runs on nats://nats.bacl:4222, created at t0 with uid uid-1.
const minting = { natsMinting: { url: 'nats://nats.bacl:4222', periodSeconds: 1000 } };
const t0s = t0.getTime() / 1000;

const natsVolume = (p: V1Pod) =>
  p.spec?.volumes?.find((v) => v.name === 'nats-credentials')?.secret?.secretName;
const natsEnv = (p: V1Pod) => p.spec?.containers[0]?.env?.find((e) => e.name === 'NATS_CREDS')?.value;
const pods = (actions: Action[]) => actions.flatMap((a) => (a.type === 'CreatePod' ? [a.pod] : []));

describe('operator/reconcile/decide: minted NATS credentials', function () {
  it("mints for a job on the operator's NATS without credentials of its own, not otherwise", function () {
    const table: [string, Parameters<typeof mintedCredentials>[1], Parameters<typeof job>[0], boolean][] = [
      ['minting on, same url, no own Secret', minting.natsMinting, {}, true],
      ['minting off', undefined, {}, false],
      [
        'the job brings its own Secret',
        minting.natsMinting,
        { nats: { url: 'nats://nats.bacl:4222', credentialsSecret: 'mine' } },
        false,
      ],
      [
        'the job names another server',
        minting.natsMinting,
        { nats: { url: 'nats://elsewhere:4222' } },
        false,
      ],
    ];
    for (const [what, options, spec, mints] of table)
      expect(mintedCredentials(job(spec), options, t0) !== undefined, what).to.equal(mints);
  });

  it('one Secret per rotation period, named by job, uid and period; it expires two periods after its period began', function () {
    const table: [number, string, number][] = [
      [0, 'lvis-nats-uid-1-0', t0s + 2000],
      [999, 'lvis-nats-uid-1-0', t0s + 2000],
      [1000, 'lvis-nats-uid-1-1', t0s + 3000],
      [2500, 'lvis-nats-uid-1-2', t0s + 4000],
    ];
    for (const [seconds, name, expires] of table) {
      const minted = mintedCredentials(job(), minting.natsMinting, at(seconds))!;
      expect(minted.secretName, `at ${seconds}s`).to.equal(name);
      expect(minted.expires, `at ${seconds}s`).to.equal(expires);
      expect(minted.issuedAt).to.equal(t0s + seconds);
      // Whenever a pod mounts it, the user has at least one period left.
      expect(minted.expires - minted.issuedAt).to.be.greaterThan(1000);
    }
    expect(mintedCredentials(job(), { url: 'nats://nats.bacl:4222' }, t0)!.expires).to.equal(
      t0s + 2 * defaultNatsPeriodSeconds,
    );
  });

  it('a new job: the credentials Secret (owned by the job, immutable, no data yet) before the pods that mount it', function () {
    const decision = decide(job({ nodes: 2 }), observed(), t0, minting);
    expect(summarize(decision.actions)).to.deep.equal([
      'CreateNatsCredentials',
      'CreatePod lvis-rep-0-0',
      'CreatePod lvis-rep-0-1',
    ]);
    const create = decision.actions[0] as Extract<Action, { type: 'CreateNatsCredentials' }>;
    expect(create.user).to.deep.equal({ namespace: 'ml', job: 'lvis', issuedAt: t0s, expires: t0s + 2000 });
    expect(create.secret.metadata?.name).to.equal('lvis-nats-uid-1-0');
    expect(create.secret.metadata?.ownerReferences?.[0]).to.include({
      kind: 'BaclJob',
      uid: 'uid-1',
      controller: true,
    });
    expect(create.secret.immutable).to.equal(true);
    expect(create.secret.data ?? create.secret.stringData).to.equal(undefined);
    for (const p of pods(decision.actions)) {
      expect(natsVolume(p)).to.equal('lvis-nats-uid-1-0');
      expect(natsEnv(p)).to.equal('/etc/bacl/nats/nats.creds');
    }
  });

  it('a Secret known to exist is not created again; pods still mount it', function () {
    const decision = decide(
      job({ nodes: 1 }),
      observed([], { natsSecrets: ['lvis-nats-uid-1-0'] }),
      t0,
      minting,
    );
    expect(summarize(decision.actions)).to.deep.equal(['CreatePod lvis-rep-0-0']);
    expect(natsVolume(pods(decision.actions)[0]!)).to.equal('lvis-nats-uid-1-0');
  });

  it("a restart in a later period: the new group mounts that period's Secret", function () {
    let current = job({ nodes: 1 });
    current = withStatus(current, decide(current, observed(), t0, minting));
    const failed = [pod('representation', 0, 0, 'Failed', { reason: 'Error (exit 1)' })];
    const decision = decide(
      current,
      observed(failed, { natsSecrets: ['lvis-nats-uid-1-0'] }),
      at(1500),
      minting,
    );
    expect(summarize(decision.actions)).to.deep.equal(['CreateNatsCredentials', 'CreatePod lvis-rep-1-0']);
    expect(natsVolume(pods(decision.actions)[0]!)).to.equal('lvis-nats-uid-1-1');
  });

  it('a job with its own Secret mounts that one and gets nothing minted; a suspended job gets nothing', function () {
    const own = decide(
      job({ nodes: 1, nats: { url: 'nats://nats.bacl:4222', credentialsSecret: 'mine' } }),
      observed(),
      t0,
      minting,
    );
    expect(summarize(own.actions)).to.deep.equal(['CreatePod lvis-rep-0-0']);
    expect(natsVolume(pods(own.actions)[0]!)).to.equal('mine');
    const suspended = decide(job({ nodes: 1, runPolicy: { suspend: true } }), observed(), t0, minting);
    expect(summarize(suspended.actions)).to.deep.equal([]);
  });
});
