// The launcher's death notice (ADR 0042), pure: what is announced for a rank's exit, which environment turns it
// on, and what the collective engine makes of it, also when it comes second (the rank announced its own failure,
// or two launchers' notices cross).
import { expect } from 'chai';
import {
  CollectiveAbortedError,
  FRAME_HEADER_BYTES,
  PeerLostError,
  rankDeathNotices,
  rankDeathReason,
  readLauncherGroupEnv,
  shownNatsUrl,
} from '../../../worker/internal.js';
import { MemoryGroup } from '../collective/memory-group.js';

const job = { job: 'team/train', attempt: 2 };

describe('worker/runtime/death-notice: what a launcher announces when a rank dies', function () {
  it('a rank killed by a signal: an abort from that rank on the group control subject, naming the signal', function () {
    const notices = rankDeathNotices(
      { rank: 1, code: null, signal: 'SIGKILL' },
      { worldSize: 2, localWorldSize: 1, nodeRank: 1 },
      job,
    );
    expect(notices).to.deep.equal([
      {
        subject: 'bacl.team.train.2.ctl',
        notice: {
          from: 1,
          kind: 'abort',
          reason: "rank 1's process was killed by SIGKILL (seen by its launcher on node rank 1)",
        },
      },
    ]);
  });

  it('a non-zero exit names the code; a clean exit announces nothing', function () {
    const pod = { worldSize: 4, localWorldSize: 1, nodeRank: 3 };
    expect(rankDeathReason({ rank: 3, code: 1, signal: null }, 3)).to.equal(
      "rank 3's process exited with code 1 (seen by its launcher on node rank 3)",
    );
    expect(rankDeathNotices({ rank: 3, code: 137, signal: null }, pod, job)[0]?.notice.reason).to.match(
      /exited with code 137/,
    );
    expect(rankDeathNotices({ rank: 3, code: 0, signal: null }, pod, job)).to.deep.equal([]);
  });

  it('with several ranks per pod, also to cross-node group l<local rank> as that group numbers it (the node)', function () {
    const notices = rankDeathNotices(
      { rank: 5, code: null, signal: 'SIGSEGV' },
      { worldSize: 6, localWorldSize: 3, nodeRank: 1 },
      job,
    );
    expect(notices.map((n) => [n.subject, n.notice.from])).to.deep.equal([
      ['bacl.team.train.2.ctl', 5],
      ['bacl.team.train.2.l2.ctl', 1],
    ]);
    expect(notices[1]!.notice.reason).to.equal(
      "rank 5's process was killed by SIGSEGV (seen by its launcher on node rank 1)",
    );
  });

  it('is on with NATS_URL and a usable BACL_JOB; off without NATS (baclctl run) or with a job the ranks will refuse', function () {
    const env = { NATS_URL: 'nats://nats:4222', BACL_JOB: 'team/train', BACL_ATTEMPT: '2' };
    expect(readLauncherGroupEnv(env)).to.deep.equal({
      job: 'team/train',
      attempt: 2,
      natsUrl: 'nats://nats:4222',
    });
    expect(
      readLauncherGroupEnv({ ...env, NATS_CREDS: '/etc/bacl/nats/nats.creds', BACL_ATTEMPT: '' }),
    ).to.deep.equal({
      job: 'team/train',
      attempt: 0,
      natsUrl: 'nats://nats:4222',
      natsCreds: '/etc/bacl/nats/nats.creds',
    });
    expect(readLauncherGroupEnv({ ...env, NATS_URL: '' })).to.equal(undefined);
    expect(readLauncherGroupEnv({ ...env, BACL_JOB: 'team.x/train' })).to.equal(undefined);
    expect(readLauncherGroupEnv({ ...env, BACL_ATTEMPT: 'one' })).to.equal(undefined);
  });

  it('logs NATS_URL without a user:password part', function () {
    expect(shownNatsUrl('nats://bacl:s3cret@nats:4222,tls://x@y:4443')).to.equal(
      'nats://nats:4222,tls://y:4443',
    );
    expect(shownNatsUrl('nats://nats:4222')).to.equal('nats://nats:4222');
  });

  describe('received by the collective engine', function () {
    const killed = rankDeathNotices(
      { rank: 1, code: null, signal: 'SIGKILL' },
      { worldSize: 3, localWorldSize: 1, nodeRank: 1 },
      job,
    )[0]!.notice;

    it('fails the operation in flight at once with CollectiveAbortedError naming the dead rank and the signal', async function () {
      const group = new MemoryGroup(3, { maxFrameBytes: FRAME_HEADER_BYTES + 64 });
      const pending = group.engines[0]!.allReduceSum(new Float32Array(40), { step: 7 });
      group.engines[0]!.receiveAbort(killed);
      const error = await pending.catch((e: unknown) => e);
      expect(error).to.be.instanceOf(CollectiveAbortedError);
      expect(error).to.include({ abortedBy: 1, collective: 'allReduceSum', step: 7 });
      expect((error as Error).message).to.equal(
        "rank 0 allReduceSum (step 7, op 0): aborted by rank 1: rank 1's process was killed by SIGKILL " +
          '(seen by its launcher on node rank 1)',
      );
    });

    it('after another failure, changes nothing: the first error stays (first wins)', async function () {
      const group = new MemoryGroup(3, { maxFrameBytes: FRAME_HEADER_BYTES + 64 });
      const engine = group.engines[0]!;
      const pending = engine.barrier();
      engine.receiveAbort({ from: 2, kind: 'peer-lost', peer: 1, reason: 'no heartbeat for 10012 ms' });
      engine.receiveAbort(killed);
      engine.receiveAbort(killed);
      const first = await pending.catch((e: unknown) => e);
      expect(first).to.be.instanceOf(PeerLostError);
      const later = await engine.barrier().catch((e: unknown) => e);
      expect(later).to.be.instanceOf(PeerLostError);
      expect((later as PeerLostError).reason).to.equal('no heartbeat for 10012 ms');

      // The notice first, then the rank's own (a rank that announced its failure and then exited non-zero).
      const other = new MemoryGroup(3, { maxFrameBytes: FRAME_HEADER_BYTES + 64 }).engines[2]!;
      const running = other.barrier();
      other.receiveAbort(killed);
      other.receiveAbort({ from: 1, kind: 'abort', reason: 'S3 down' });
      expect(await running.catch((e: unknown) => (e as CollectiveAbortedError).reason)).to.match(/SIGKILL/);
    });
  });
});
