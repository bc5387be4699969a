// The launcher's NATS link for death notices (death-notice.ts, ADR 0042). It connects when the launcher starts,
// in the background, with the ranks' settings (NATS_URL, NATS_CREDS: a job's minted user may publish on
// bacl.<ns>.<job>.>, which holds the control subjects), so a death is announced over a connection already up
// rather than one opened at the worst moment (a node under memory pressure, a server being restarted). Best
// effort and bounded: the launcher never waits for NATS longer than `connectMs` + `flushMs` per death and
// `closeMs` at exit, and never fails because of it; when the notice cannot be sent, the survivors still
// notice at their heartbeat timeout, as before. While the held connection is down (the server restarted), a
// notice is queued for the reconnect but not waited for: the ranks' connections dropped too and they fail the
// group themselves, so holding the pod's exit back would only delay the restart. Nothing is published for a
// clean exit.
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { groupSubjects } from '../collective/subjects.js';
import { connectRetrying, shownNatsUrl, timedOut, within } from '../collective/nats-connect.js';
import { rankDeathNotices, rankDeathReason } from './death-notice.js';
import type { RankExit } from './launcher.js';
import type { LauncherGroupEnv, PodEnv } from './rank-env.js';

export interface DeathAnnouncerOptions {
  group: LauncherGroupEnv;
  pod: PodEnv;
  /** Told what happened to each notice, and once when the connection cannot be made at all. */
  log: (line: string) => void;
  /**
   * How long a notice waits for the connection when it is not up yet. @default 2000 ms: a reachable server
   * answers in milliseconds; past that the peers' heartbeat timeout (10 s) is not much later anyway
   */
  connectMs?: number;
  /** How long a notice waits for the server to confirm it (a flush). @default 2000 ms, for the same reason */
  flushMs?: number;
  /** How long close() waits for the connection to close. @default 2000 ms */
  closeMs?: number;
}

export const DEATH_ANNOUNCER_DEFAULTS = { connectMs: 2000, flushMs: 2000, closeMs: 2000 } as const;

export class DeathAnnouncer {
  private readonly stop = new AbortController();
  private readonly connection: Promise<NatsConnection | undefined>;
  private closed = false;
  /** False between a `disconnect` and the next `reconnect` of the held connection. */
  private connected = true;

  private constructor(private readonly options: DeathAnnouncerOptions) {
    this.connection = this.connect();
  }

  /** Starts connecting in the background; never throws. */
  static start(options: DeathAnnouncerOptions): DeathAnnouncer {
    return new DeathAnnouncer(options);
  }

  /**
   * Publishes the notices for `exit` (none for a clean exit) and waits, bounded, for the server to take them.
   * Resolves true when it did; never rejects.
   */
  async announce(exit: RankExit): Promise<boolean> {
    const { group, pod, log } = this.options;
    const notices = rankDeathNotices(exit, pod, group);
    if (notices.length === 0 || this.closed) return false;
    const reason = rankDeathReason(exit, pod.nodeRank);
    const connectMs = this.options.connectMs ?? DEATH_ANNOUNCER_DEFAULTS.connectMs;
    const nc = await within(this.connection, connectMs);
    if (nc === undefined || nc === timedOut || nc.isClosed()) {
      log(
        `${reason}; could not tell the group: no NATS connection to ${shownNatsUrl(group.natsUrl)} within ${connectMs} ms ` +
          '(its peers will notice at their heartbeat timeout)',
      );
      return false;
    }
    try {
      for (const { subject, notice } of notices) nc.publish(subject, JSON.stringify(notice));
    } catch (error) {
      log(`${reason}; could not tell the group: ${messageOf(error)}`);
      return false;
    }
    if (!this.connected) {
      // The server is gone (restarted, unreachable): the ranks' own connections dropped too, so they are failing
      // the group themselves (TransportLostError). The notice stays queued for a reconnect, but the pod's exit
      // is not held back waiting for one.
      log(`${reason}; the NATS connection is down: the notice is queued for its reconnect, not waited for`);
      return false;
    }
    const flushMs = this.options.flushMs ?? DEATH_ANNOUNCER_DEFAULTS.flushMs;
    const flushed = await within(
      nc.flush().then(
        () => true,
        () => false,
      ),
      flushMs,
    );
    if (flushed === true) log(`${reason}; told the group on NATS`);
    else log(`${reason}; told the group on NATS, unconfirmed within ${flushMs} ms`);
    return flushed === true;
  }

  /** Stops connecting and closes the connection, waiting at most `closeMs`; never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    const closeMs = this.options.closeMs ?? DEATH_ANNOUNCER_DEFAULTS.closeMs;
    await within(
      this.connection.then((nc) => nc?.close()).catch(() => undefined),
      closeMs,
    );
  }

  private async connect(): Promise<NatsConnection | undefined> {
    const { group, pod, log } = this.options;
    try {
      const credentials = group.natsCreds ? readFileSync(group.natsCreds) : undefined;
      const nc = await connectRetrying(
        () =>
          connect({
            servers: group.natsUrl,
            name: `bacl ${group.job} attempt ${group.attempt} launcher of node rank ${pod.nodeRank}`,
            ...(credentials ? { authenticator: credsAuthenticator(credentials) } : {}),
            noEcho: true,
            inboxPrefix: groupSubjects(group.job, group.attempt).inbox,
            // One try never outlasts what close() waits, so a launcher exiting mid-try is not held up.
            timeout: this.options.closeMs ?? DEATH_ANNOUNCER_DEFAULTS.closeMs,
            reconnect: true,
            maxReconnectAttempts: -1,
            reconnectTimeWait: 250,
          }),
        // Until the launcher closes it: a server that is not up yet (restarted, rescheduled) may come back.
        { withinMs: Number.POSITIVE_INFINITY, signal: this.stop.signal },
      );
      if (this.closed) {
        await nc.close();
        return undefined;
      }
      void this.watch(nc);
      return nc;
    } catch (error) {
      if (!this.closed)
        log(
          `cannot connect to NATS ${shownNatsUrl(group.natsUrl)} to announce rank deaths (${messageOf(error)}); ` +
            "a dead rank's peers will notice at their heartbeat timeout",
        );
      return undefined;
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') this.connected = false;
      else if (status.type === 'reconnect') this.connected = true;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
