// Per-job NATS credentials on the real nats-server in operator mode (ADR 0038): users minted by the operator's
// code (NatsUserMinter) for two jobs of one namespace; job A's user tries every subject job B's ranks use while
// B's two ranks (processes, over NATS with B's credentials) run their all-reduces. The server must refuse each of
// A's attempts with a permissions violation, A must receive none of B's bytes, and B's sums must come out with
// the fixed-order sum's exact bits.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { connect, credsAuthenticator, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { jobInboxPrefix, progressSubject } from '../../../common/index.js';
import { encodeJwt, NatsUserMinter, operatorUserClaims, userClaims } from '../../../operator/internal.js';
import { fixedOrderSum, FRAME_HEADER_BYTES, groupSubjects } from '../../../worker/internal.js';
import { startNats, type NatsServer } from '../../harness/index.js';
import { killRanks, startRanks } from '../../worker/collective/rank-group.js';
import type { RankPlan } from '../../worker/collective/rank-main.js';
import { seededVectors } from '../../worker/collective/vectors.js';
import { recordReliability } from '../reliability/entries.js';

const MAX_PAYLOAD = 16 * 1024;
const FP32_CHUNK = (MAX_PAYLOAD - FRAME_HEADER_BYTES) / 4;

interface Refusal {
  operation: string;
  subject: string;
  message: string;
}

/** A connection with `creds` that collects the permission violations the server reports. */
async function connectWith(url: string, creds: string): Promise<{ nc: NatsConnection; refusals: Refusal[] }> {
  const nc = await connect({
    servers: url,
    authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
  });
  const refusals: Refusal[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== 'error') continue;
      const error = status.error as Error & { operation?: string; subject?: string };
      if (error.name === 'PermissionViolationError')
        refusals.push({
          operation: error.operation ?? '',
          subject: error.subject ?? '',
          message: error.message,
        });
    }
  })();
  return { nc, refusals };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('e2e security: per-job NATS credentials on a real nats-server in operator mode', function () {
  this.timeout(180_000);
  let server: NatsServer;
  let minter: NatsUserMinter;
  let dir: string;
  const now = () => Math.floor(Date.now() / 1000);
  const mint = (job: string, expires = now() + 3600) =>
    minter.mintJobUser({ namespace: 'team', job, issuedAt: now(), expires }).creds;

  before(async function () {
    server = await startNats({ jwt: true, maxPayload: MAX_PAYLOAD });
    minter = NatsUserMinter.fromSeed(server.jwt!.signingSeed, server.jwt!.account);
    dir = mkdtempSync(join(tmpdir(), 'bacl-nats-jwt-'));
  });

  afterEach(function () {
    killRanks();
  });

  after(async function () {
    killRanks();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses job A's credentials on every subject of job B, while B's 2-rank all-reduce completes with exact sums", async function () {
    const credsB = join(dir, 'b.creds');
    writeFileSync(credsB, mint('job-b'), { mode: 0o600 });
    const cases: RankPlan['cases'] = Array.from({ length: 8 }, (_, i) => ({
      length: 3 * FP32_CHUNK + 5 + i,
      wire: i % 2 === 0 ? ('fp32' as const) : ('bf16' as const),
      seed: 700 + i,
    }));
    const plan: RankPlan = { cases, outDir: dir, configDigest: 'sha256:b' };
    const ranks = startRanks({
      natsUrl: server.url,
      job: 'team/job-b',
      attempt: 0,
      worldSize: 2,
      plan,
      env: () => ({ NATS_CREDS: credsB }),
    });

    // Job A's user, on everything B's ranks publish or listen to (group subjects of this and the next attempt,
    // progress, B's inbox prefix, the whole of B's root and the global inboxes).
    const { nc, refusals } = await connectWith(server.url, mint('job-a'));
    const b = groupSubjects('team/job-b', 0);
    const targets = [
      b.rdzv,
      b.ctl,
      b.hb,
      b.credit(0),
      b.credit(1),
      b.data('rs', 0, 0),
      b.data('ag', 0, 1),
      b.data('bc', 0, 0),
      groupSubjects('team/job-b', 1).rdzv,
      progressSubject('team', 'job-b', 0),
    ];
    const listens = [
      ...b.dataSubscriptions(0),
      b.rdzv,
      b.ctl,
      'bacl.team.job-b.>',
      `${jobInboxPrefix('team', 'job-b')}.>`,
      '_INBOX.>',
      '>',
    ];
    let received = 0;
    for (const subject of listens)
      nc.subscribe(subject, {
        callback: (error) => {
          if (!error) received++;
        },
      });
    const junk = new Uint8Array(64).fill(0x41);
    let published = 0;
    const finished = Promise.all(ranks.map((rank) => rank.exited));
    let done = false;
    void finished.then(() => (done = true));
    // Keep publishing into B's subjects until its ranks have finished (a fake abort on .ctl or a stray frame on
    // a data subject would fail or corrupt B's all-reduce were it delivered).
    while (!done) {
      for (const subject of targets) {
        nc.publish(subject, junk);
        published++;
      }
      await nc.flush();
      await sleep(20);
    }
    const outcomes = await finished;
    await nc.flush();
    await sleep(200);

    // A's own subjects still work: the refusals are B's subjects, not a dead connection.
    const own = nc.subscribe('bacl.team.job-a.0.rdzv', { max: 1 });
    nc.publish('bacl.team.job-a.0.rdzv', 'hello');
    const ownMessage = await (async () => {
      for await (const message of own) return message.string();
      return undefined;
    })();
    await nc.close();

    expect(
      outcomes.map((o) => o.code),
      outcomes.map((o) => `rank ${o.rank}: ${o.stderr.slice(-1500)}`).join('\n'),
    ).to.deep.equal([0, 0]);
    for (const [index, spec] of cases.entries()) {
      const expected = fixedOrderSum(seededVectors(2, spec.length, spec.seed), spec.wire);
      for (const rank of [0, 1]) {
        const bytes = readFileSync(join(dir, `r${rank}-c${index}.bin`));
        const result = new Float32Array(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        );
        expect(sameBits(result, expected), `rank ${rank} case ${index}`).to.equal(true);
      }
    }
    expect(ownMessage).to.equal('hello');
    expect(received, "messages of B's (or anyone's) subjects delivered to A").to.equal(0);
    const refusedPublishes = new Set(refusals.filter((r) => r.operation === 'publish').map((r) => r.subject));
    const refusedSubscriptions = new Set(
      refusals.filter((r) => r.operation === 'subscription').map((r) => r.subject),
    );
    expect([...refusedPublishes].sort()).to.deep.equal([...targets].sort());
    expect([...refusedSubscriptions].sort()).to.deep.equal([...new Set(listens)].sort());
    expect(refusals[0]?.message).to.match(/^Permissions Violation for (Publish|Subscription) to /);

    const test = this.test!.fullTitle();
    recordReliability({
      kind: 'security',
      id: 'nats-job-isolation',
      test,
      property:
        "a job's minted NATS user can neither publish to nor subscribe on another job's subjects (bacl.<ns>.<job>.>)",
      evidence:
        `nats-server ${server.version} in operator mode (MEMORY resolver): job A's user published ${published} ` +
        `messages to ${targets.length} subjects of job B (rendezvous, abort, heartbeat, credits, data, the next ` +
        `attempt, progress) and subscribed to ${listens.length} (B's data wildcards, B's root, B's inbox prefix, ` +
        `_INBOX.>, >); the server answered each distinct subject with "Permissions Violation" ` +
        `(${refusedPublishes.size} publish, ${refusedSubscriptions.size} subscription) and delivered A nothing ` +
        `(${received} messages), while A's own subject still carried its message.`,
    });
    recordReliability({
      kind: 'security',
      id: 'nats-neighbour-undisturbed',
      test,
      property: "a hostile job's publishing leaves another job's all-reduce undisturbed",
      evidence:
        `job B's 2 ranks (processes, B's minted credentials) ran ${cases.length} all-reduces of ` +
        `${cases[0]!.length}-${cases.at(-1)!.length} floats (fp32 and bf16, 16 KiB frames) during A's attempts; ` +
        `both exited 0 and every result equals the fixed-order sum bit for bit on both ranks.`,
    });
  });

  it("the operator's user hears every job's progress but may publish nothing and read no job's data", async function () {
    const operator = minter.mint((keys) =>
      operatorUserClaims({ issuedAt: now(), expires: now() + 3600 }, keys),
    );
    const { nc, refusals } = await connectWith(server.url, operator.creds);
    const job = await connectWith(server.url, mint('job-c'));
    const progress = nc.subscribe(progressSubject('*', '*', '*'), { max: 1 });
    const data = groupSubjects('team/job-c', 0).data('ag', 0, 0);
    nc.subscribe(data);
    nc.publish(groupSubjects('team/job-c', 0).ctl, 'abort');
    await nc.flush();
    job.nc.publish(progressSubject('team', 'job-c', 0), '{}');
    await job.nc.flush();
    let heard: string | undefined;
    for await (const message of progress) heard = message.subject;
    await sleep(200);
    await Promise.all([nc.close(), job.nc.close()]);

    expect(heard).to.equal(progressSubject('team', 'job-c', 0));
    expect(refusals.map((r) => `${r.operation} ${r.subject}`).sort()).to.deep.equal(
      [`publish ${groupSubjects('team/job-c', 0).ctl}`, `subscription ${data}`].sort(),
    );
    recordReliability({
      kind: 'security',
      id: 'nats-operator-user',
      test: this.test!.fullTitle(),
      property: "the operator's NATS user only subscribes to progress subjects (bacl.*.*.*.progress)",
      evidence:
        `it received job C's progress report on ${heard}; its publish to C's abort subject and its ` +
        `subscription to C's data subject were refused with "Permissions Violation".`,
    });
  });

  it('refuses connections without credentials, with an expired user, or signed by a key the account does not list', async function () {
    const refusal = async (creds?: string) => {
      try {
        const nc = await connect({
          servers: server.url,
          reconnect: false,
          ...(creds ? { authenticator: credsAuthenticator(new TextEncoder().encode(creds)) } : {}),
        });
        await nc.close();
        return 'connected';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const anonymous = await refusal();
    const expired = await refusal(mint('job-d', now() - 60));
    // A user of the right account, signed by a fresh account key that is not among the account's signing keys.
    const rogue = NatsUserMinter.fromSeed(
      new TextDecoder().decode(nkeys.createAccount().getSeed()),
      server.jwt!.account,
    );
    const forged = await refusal(
      rogue.mintJobUser({ namespace: 'team', job: 'job-b', issuedAt: now(), expires: now() + 3600 }).creds,
    );
    // And a self-signed user that claims to be the account (no issuer_account, iss = its own key).
    const self = nkeys.createUser();
    const selfSigned = await refusal(
      [
        '-----BEGIN NATS USER JWT-----',
        encodeJwt(
          userClaims({
            name: 'self',
            user: self.getPublicKey(),
            issuedAt: now(),
            pub: { allow: ['>'] },
            sub: { allow: ['>'] },
          }),
          self,
        ),
        '------END NATS USER JWT------',
        '',
        '-----BEGIN USER NKEY SEED-----',
        new TextDecoder().decode(self.getSeed()),
        '------END USER NKEY SEED------',
        '',
      ].join('\n'),
    );
    const valid = await refusal(mint('job-d'));

    expect(valid).to.equal('connected');
    for (const [what, message] of Object.entries({ anonymous, expired, forged, selfSigned }))
      expect(message, what).to.match(/Authorization Violation|Authentication Expired/i);
    recordReliability({
      kind: 'security',
      id: 'nats-trust-chain',
      test: this.test!.fullTitle(),
      property:
        'only users signed by a signing key of the operator-signed account connect, and only until their expiry',
      evidence:
        `nats-server refused a connection without credentials ("${anonymous}"), a minted user past its exp ` +
        `("${expired}"), a user signed by an account key the account JWT does not list ("${forged}") and a ` +
        `self-signed user ("${selfSigned}"); a freshly minted job user connected.`,
    });
  });
});
