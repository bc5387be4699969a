// The launcher's death notice on the real nats-server (ADR 0042): two pods' launchers (processes) each fork one
// rank of a 2-rank group running all-reduces; rank 1's process SIGKILLs itself mid all-reduce. Its launcher
// announces the death on the group's control subject, so rank 0 fails with CollectiveAbortedError naming rank 1
// and SIGKILL, not with the heartbeat timeout's PeerLostError (set to 60 s here, past anything the notice
// needs). Also: the announcer with a job's minted NATS user, and with no server at all (it must give up, not
// hang its launcher).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { NatsUserMinter } from '../../../operator/internal.js';
import { DeathAnnouncer, groupSubjects, type AbortNotice } from '../../../worker/internal.js';
import { freePort, startNats, waitFor, type NatsServer } from '../../harness/index.js';
import type { RankPlan } from '../collective/rank-main.js';

const LAUNCHER = fileURLToPath(new URL('./launch-group-main.ts', import.meta.url));

interface LauncherOutcome {
  code: number | null;
  events: Record<string, unknown>[];
  stderr: string;
}

/** This process's environment without rank or job variables. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (/^(RANK|WORLD_SIZE|LOCAL_RANK|LOCAL_WORLD_SIZE|NODE_RANK|NATS_URL|NATS_CREDS)$|^BACL_/.test(name))
      delete env[name];
  return env;
}

const live = new Set<number>();

function startLauncher(env: NodeJS.ProcessEnv): Promise<LauncherOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', LAUNCHER], {
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) live.add(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      if (child.pid !== undefined) live.delete(child.pid);
      const events = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, events, stderr });
    }),
  );
}

describe('worker/runtime/death-announcer: a launcher tells the group its rank died (real nats-server)', function () {
  this.timeout(120_000);
  let server: NatsServer;
  let outDir: string;

  before(async function () {
    server = await startNats();
    outDir = mkdtempSync(join(tmpdir(), 'bacl-death-'));
  });

  after(async function () {
    for (const pid of live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('rank 1 SIGKILLed mid all-reduce: rank 0 fails with CollectiveAbortedError naming rank 1 and SIGKILL, not the peer timeout', async function () {
    const plan: RankPlan = {
      cases: [
        { length: 200_000, wire: 'fp32', seed: 1 },
        { length: 200_000, wire: 'fp32', seed: 2 },
        { length: 200_000, wire: 'fp32', seed: 3 },
      ],
      outDir,
      configDigest: 'd',
      heartbeatMs: 1000,
      peerTimeoutMs: 60_000,
      opTimeoutMs: 110_000,
      selfSignal: { rank: 1, signal: 'SIGKILL', atCase: 1 },
    };
    const env = (nodeRank: number) => ({
      NATS_URL: server.url,
      BACL_JOB: `death-test/job-${process.pid}`,
      BACL_ATTEMPT: '0',
      WORLD_SIZE: '2',
      LOCAL_WORLD_SIZE: '1',
      NODE_RANK: String(nodeRank),
      RANK_PLAN: JSON.stringify(plan),
    });
    const [node0, node1] = await Promise.all([startLauncher(env(0)), startLauncher(env(1))]);
    const describe = `node 0: ${JSON.stringify(node0)}\nnode 1: ${JSON.stringify(node1)}`;

    expect(node1.code, describe).to.equal(137); // 128 + SIGKILL, as before
    expect(node1.stderr).to.include(
      "launcher: rank 1's process was killed by SIGKILL (seen by its launcher on node rank 1); told the group on NATS",
    );
    expect(node0.code, describe).to.equal(3); // rank-main.ts: a collective error
    const error = node0.events.find((event) => event.event === 'error');
    expect(error, describe).to.include({
      name: 'CollectiveAbortedError',
      collective: 'allReduceSum',
      step: 1,
    });
    expect(error!.message).to.match(
      /aborted by rank 1: rank 1's process was killed by SIGKILL \(seen by its launcher on node rank 1\)$/,
    );
    // Rank 0's own launcher saw a non-zero exit too, and said so (a harmless second notice to a failed group).
    expect(node0.stderr).to.include("rank 0's process exited with code 3");
  });

  it("publishes with a job's minted user (allowed on bacl.<ns>.<job>.> only)", async function () {
    const jwtServer = await startNats({ jwt: true });
    const dir = mkdtempSync(join(tmpdir(), 'bacl-death-jwt-'));
    try {
      const minter = NatsUserMinter.fromSeed(jwtServer.jwt!.signingSeed, jwtServer.jwt!.account);
      const now = Math.floor(Date.now() / 1000);
      const { creds } = minter.mintJobUser({
        namespace: 'team',
        job: 'train',
        issuedAt: now,
        expires: now + 3600,
      });
      const credsFile = join(dir, 'nats.creds');
      writeFileSync(credsFile, creds);
      const watcher = await connect({
        servers: jwtServer.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
        inboxPrefix: groupSubjects('team/train', 4).inbox,
      });
      const sub = watcher.subscribe(groupSubjects('team/train', 4).ctl, { max: 1 });
      await watcher.flush();
      const lines: string[] = [];
      const announcer = DeathAnnouncer.start({
        group: { job: 'team/train', attempt: 4, natsUrl: jwtServer.url, natsCreds: credsFile },
        pod: { worldSize: 2, localWorldSize: 1, nodeRank: 0 },
        log: (line) => lines.push(line),
        connectMs: 30_000,
        flushMs: 30_000,
      });
      expect(await announcer.announce({ rank: 0, code: 1, signal: null }), lines.join('\n')).to.equal(true);
      let received: AbortNotice | undefined;
      for await (const msg of sub) received = msg.json<AbortNotice>();
      expect(received).to.deep.equal({
        from: 0,
        kind: 'abort',
        reason: "rank 0's process exited with code 1 (seen by its launcher on node rank 0)",
      });
      await announcer.close();
      await watcher.close();
    } finally {
      await jwtServer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the held connection dropped (server stopped): the notice is queued, not waited for', async function () {
    const own = await startNats();
    const lines: string[] = [];
    const announcer = DeathAnnouncer.start({
      group: { job: 'team/train', attempt: 0, natsUrl: own.url },
      pod: { worldSize: 2, localWorldSize: 1, nodeRank: 1 },
      log: (line) => lines.push(line),
      connectMs: 30_000,
    });
    const exit = { rank: 1, code: null, signal: 'SIGKILL' as const };
    try {
      expect(await announcer.announce(exit), lines.join('\n')).to.equal(true);
      await own.stop();
      // Until the client has seen the disconnect, a notice waits for its flush (at most flushMs) instead.
      await waitFor('a notice not waited for', async () =>
        (await announcer.announce(exit)) === false && lines.some((line) => line.includes('is down'))
          ? true
          : undefined,
      );
      expect(lines.at(-1)).to.match(
        /killed by SIGKILL .*; the NATS connection is down: the notice is queued for its reconnect, not waited for$/,
      );
    } finally {
      await announcer.close();
      await own.stop().catch(() => undefined);
    }
  });

  it('no server: the notice gives up after its connect deadline and close() returns (the launcher is not held up)', async function () {
    const port = await freePort();
    const lines: string[] = [];
    const announcer = DeathAnnouncer.start({
      group: { job: 'team/train', attempt: 0, natsUrl: `nats://127.0.0.1:${port}` },
      pod: { worldSize: 2, localWorldSize: 1, nodeRank: 1 },
      log: (line) => lines.push(line),
      connectMs: 500,
    });
    expect(await announcer.announce({ rank: 1, code: null, signal: 'SIGKILL' })).to.equal(false);
    expect(lines.join('\n')).to.match(
      /rank 1's process was killed by SIGKILL .*; could not tell the group: no NATS connection to nats:\/\/127\.0\.0\.1:\d+ within 500 ms \(its peers will notice at their heartbeat timeout\)/,
    );
    await announcer.close();
    // A clean exit is never announced, connection or not.
    expect(await announcer.announce({ rank: 1, code: 0, signal: null })).to.equal(false);
  });
});
