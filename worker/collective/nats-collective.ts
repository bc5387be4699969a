// The collectives over core NATS (ADR 0020): one connection per rank, long-lived wildcard subscriptions made
// before the rendezvous, data frames as raw payloads (no NATS headers), credits, heartbeats and aborts on their
// own subjects. Frames are at most the connection's max_payload (read from INFO, never assumed).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { CollectiveEngine, type EngineOptions } from './engine.js';
import { EngineCollective } from './engine-collective.js';
import {
  CollectiveAbortedError,
  CollectiveError,
  CollectiveOptionError,
  CollectiveTimeoutError,
  TransportLostError,
} from './errors.js';
import { HeartbeatMonitor } from './heartbeat.js';
import { closeWithin, connectRetrying, unreachableLine } from './nats-connect.js';
import { RendezvousBook, type Join } from './rendezvous.js';
import { groupSubjects, type GroupSubjects } from './subjects.js';
import type { AbortNotice, CollectiveTransport, Route } from './transport.js';

export interface NatsGroupOptions extends Omit<EngineOptions, 'rank' | 'worldSize'> {
  /** NATS_URL. */
  servers: string | string[];
  /** NATS_CREDS: a .creds file (JWT + nkey seed), when the server wants one. */
  credsFile?: string;
  /** BACL_JOB: `<namespace>/<name>`. */
  job: string;
  /** BACL_ATTEMPT. */
  attempt: number;
  /** Separates several groups of one attempt (subjects.ts). */
  channel?: string;
  rank: number;
  worldSize: number;
  /** A digest of the effective config: ranks with different configs refuse to form a group. */
  configDigest: string;
  /** Heartbeat period. @default 1000 ms */
  heartbeatMs?: number;
  /** Silence after which a peer is lost. @default 10000 ms (10 missed heartbeats: a loaded node is not dead) */
  peerTimeoutMs?: number;
  /** How long to wait for every rank to join. @default 600000 ms (pods start minutes apart) */
  rendezvousTimeoutMs?: number;
  /**
   * How long to keep trying a NATS server that cannot be reached yet (nats-connect.ts). @default 120000 ms: a
   * restarted or rescheduled server is back well within it; a wrong URL still fails in minutes, not never
   */
  connectWithinMs?: number;
  /** Told once when the server is not reachable yet (nats-connect.ts: unreachableLine). */
  log?: (line: string) => void;
  /** Cancels the rendezvous. */
  signal?: AbortSignal;
}

export const NATS_DEFAULTS = {
  heartbeatMs: 1000,
  peerTimeoutMs: 10_000,
  rendezvousTimeoutMs: 600_000,
  connectWithinMs: 120_000,
} as const;

/** Connects, rendezvouses with the other ranks and resolves with the group's collectives. */
export async function joinNatsGroup(options: NatsGroupOptions): Promise<NatsCollective> {
  const subjects = groupSubjects(options.job, options.attempt, options.channel);
  const credentials = options.credsFile ? readFileSync(options.credsFile) : undefined;
  const withinMs = options.connectWithinMs ?? NATS_DEFAULTS.connectWithinMs;
  const nc = await connectRetrying(
    () =>
      connect({
        servers: options.servers,
        name: `bacl ${options.job} attempt ${options.attempt} rank ${options.rank}`,
        ...(credentials ? { authenticator: credsAuthenticator(credentials) } : {}),
        noEcho: true,
        inboxPrefix: subjects.inbox,
        // A dropped connection may have lost messages, so it fails the group (TransportLostError here); the
        // client still reconnects, only to tell the others at once (PeerLostError naming this rank) instead of
        // at their heartbeat timeout.
        reconnect: true,
        reconnectTimeWait: 250,
      }),
    {
      withinMs,
      ...(options.signal ? { signal: options.signal } : {}),
      onRetry: (error, tries) => {
        if (tries === 1) options.log?.(unreachableLine(options.servers, error, withinMs));
      },
    },
  );
  const maxFrameBytes = nc.info?.max_payload;
  if (!maxFrameBytes) {
    await nc.close();
    throw new CollectiveOptionError(
      'max_payload',
      maxFrameBytes,
      'the NATS server sent no max_payload in INFO',
    );
  }
  const group = new NatsCollective(nc, subjects, maxFrameBytes, options);
  try {
    await group.rendezvous(options);
  } catch (error) {
    await group.close();
    throw error;
  }
  group.startHeartbeats();
  return group;
}

export class NatsCollective extends EngineCollective {
  readonly rank: number;
  readonly worldSize: number;
  protected readonly engine: CollectiveEngine;
  private readonly subs: Subscription[] = [];
  private readonly heartbeat: { intervalMs: number; timeoutMs: number };
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private transportLost = false;
  private monitor: HeartbeatMonitor | undefined;
  private rendezvousBook: RendezvousBook | undefined;
  private rendezvousError: CollectiveError | undefined;
  private onRendezvousChange: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: GroupSubjects,
    maxFrameBytes: number,
    options: NatsGroupOptions,
  ) {
    super();
    this.rank = options.rank;
    this.worldSize = options.worldSize;
    this.heartbeat = {
      intervalMs: options.heartbeatMs ?? NATS_DEFAULTS.heartbeatMs,
      timeoutMs: options.peerTimeoutMs ?? NATS_DEFAULTS.peerTimeoutMs,
    };
    const transport: CollectiveTransport = {
      maxFrameBytes,
      sendData: (route: Route, op: number, to: number, frame: Uint8Array, release) => {
        nc.publish(subjects.data(route, op, route === 'rs' ? to : this.rank), frame);
        // The client keeps a reference in its outbound queue until it flushes (inline past 32 KiB, else in a
        // microtask queued before this one), when it copies the queue into one write buffer. The frame is
        // reused only if the queue is then empty; when it is not (a disconnect), it is left to the GC.
        queueMicrotask(() => {
          if (clientReleased(nc, frame)) release(frame);
        });
      },
      sendGrant: (to: number, cumulative: number) => {
        const grant = new Uint8Array(8);
        const view = new DataView(grant.buffer);
        view.setUint16(0, this.rank, true);
        view.setUint32(4, cumulative, true);
        nc.publish(subjects.credit(to), grant);
      },
      sendAbort: (notice: AbortNotice) => {
        if (!nc.isClosed()) nc.publish(subjects.ctl, JSON.stringify(notice));
      },
    };
    this.engine = new CollectiveEngine(transport, {
      ...options,
      rank: options.rank,
      worldSize: options.worldSize,
    });
    for (const subject of subjects.dataSubscriptions(this.rank)) {
      this.subs.push(nc.subscribe(subject, { callback: (_error, msg) => this.engine.receiveData(msg.data) }));
    }
    this.subs.push(
      nc.subscribe(subjects.credit(this.rank), {
        callback: (_error, msg) => {
          if (msg.data.length !== 8) return;
          const view = new DataView(msg.data.buffer, msg.data.byteOffset, 8);
          this.engine.receiveGrant(view.getUint16(0, true), view.getUint32(4, true));
        },
      }),
      nc.subscribe(subjects.ctl, {
        callback: (_error, msg) => {
          const notice = parseJson<AbortNotice>(msg.data);
          if (notice && typeof notice.from === 'number') {
            if (notice.kind === 'left') this.monitor?.forget(notice.from);
            this.engine.receiveAbort(notice);
            if (!this.rendezvousError && this.rendezvousBook && notice.kind !== 'left') {
              this.rendezvousError = new CollectiveAbortedError(this.site(), notice.from, notice.reason);
              this.onRendezvousChange?.();
            }
          }
        },
      }),
      nc.subscribe(subjects.rdzv, { callback: (_error, msg) => this.onJoin(msg.data) }),
    );
    void this.watchConnection();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeatTimer);
    if (this.engine.busy) {
      this.engine.fail(
        (site) => new CollectiveAbortedError(site, this.rank, 'the rank closed its group'),
        true,
      );
    }
    if (this.nc.isClosed()) return;
    if (!this.engine.poisoned) this.nc.publish(this.subjects.ctl, JSON.stringify(this.engine.leaving()));
    await closeWithin(this.nc, () => this.nc.flush());
  }

  /** Announces this rank until every rank has announced it has seen all; see rendezvous.ts. */
  async rendezvous(options: NatsGroupOptions): Promise<void> {
    const self: Join = {
      rank: this.rank,
      worldSize: this.worldSize,
      configDigest: options.configDigest,
      maxFrameBytes: this.engine.maxFrameBytes,
      instance: randomUUID(),
      ready: this.worldSize === 1,
    };
    const book = new RendezvousBook(self);
    this.rendezvousBook = book;
    const timeoutMs = options.rendezvousTimeoutMs ?? NATS_DEFAULTS.rendezvousTimeoutMs;
    const announce = () => this.nc.publish(this.subjects.rdzv, JSON.stringify(book.announcement));
    await new Promise<void>((resolve, reject) => {
      let lastReady = self.ready;
      const done = (error?: CollectiveError) => {
        clearInterval(ticker);
        clearTimeout(deadline);
        options.signal?.removeEventListener('abort', onAbort);
        this.onRendezvousChange = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => done(new CollectiveAbortedError(this.site(), this.rank, 'rendezvous cancelled'));
      this.onRendezvousChange = () => {
        if (this.rendezvousError) return done(this.rendezvousError);
        if (book.announcement.ready !== lastReady) {
          lastReady = true;
          announce();
        }
        if (book.complete) done();
      };
      const ticker = setInterval(announce, 250);
      const deadline = setTimeout(
        () =>
          done(
            new CollectiveTimeoutError(
              this.site(),
              timeoutMs,
              `rendezvous joins from ranks ${book.missing().join(', ') || 'none (some not ready)'}`,
            ),
          ),
        timeoutMs,
      );
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      announce();
      this.onRendezvousChange();
    });
    this.rendezvousBook = undefined;
    // One last announcement with ready=true, so a rank that joined late sees this one ready.
    announce();
  }

  startHeartbeats(): void {
    const { intervalMs, timeoutMs } = this.heartbeat;
    const monitor = new HeartbeatMonitor(this.rank, this.worldSize, intervalMs, timeoutMs, Date.now());
    this.monitor = monitor;
    const beat = new Uint8Array(2);
    new DataView(beat.buffer).setUint16(0, this.rank, true);
    this.subs.push(
      this.nc.subscribe(this.subjects.hb, {
        callback: (_error, msg) => {
          if (msg.data.length === 2)
            monitor.beat(
              new DataView(msg.data.buffer, msg.data.byteOffset, 2).getUint16(0, true),
              Date.now(),
            );
        },
      }),
    );
    this.heartbeatTimer = setInterval(() => {
      if (this.nc.isClosed()) return;
      this.nc.publish(this.subjects.hb, beat);
      const lost = monitor.check(Date.now());
      if (lost) this.engine.peerLost(lost.rank, `no heartbeat for ${lost.silentMs} ms`);
    }, intervalMs);
    this.heartbeatTimer.unref();
  }

  private onJoin(data: Uint8Array): void {
    const book = this.rendezvousBook;
    const join = parseJson<Join>(data);
    if (!book || !join || join.rank === this.rank) return;
    try {
      book.add(join);
    } catch (error) {
      if (error instanceof CollectiveError) {
        this.rendezvousError = error;
        this.engine.fail(() => error, true);
      }
    }
    this.onRendezvousChange?.();
  }

  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') {
        this.lostTransport(`NATS ${status.type}`);
      }
    }
    this.lostTransport('NATS connection closed');
  }

  private lostTransport(detail: string): void {
    if (this.closing || this.transportLost) return;
    this.transportLost = true;
    if (!this.nc.isClosed()) {
      // Queued by the client while it reconnects; sent first thing after.
      const notice: AbortNotice = {
        from: this.rank,
        kind: 'peer-lost',
        peer: this.rank,
        reason: `its ${detail}`,
      };
      this.nc.publish(this.subjects.ctl, JSON.stringify(notice));
    }
    this.engine.fail((site) => new TransportLostError(site, detail), false);
    if (this.rendezvousBook && !this.rendezvousError) {
      this.rendezvousError = new TransportLostError(this.site(), detail);
      this.onRendezvousChange?.();
    }
  }

  private site() {
    return { rank: this.rank, op: -1, collective: 'rendezvous' as const };
  }
}

/**
 * Whether the NATS client holds no reference to a published `frame` any more: its outbound queue (a list of the
 * buffers to write, copied into one write buffer on each flush) no longer lists it. Reads the client's internals
 * (`protocol.outbound.buffers`, @nats-io/nats-core 3.x); when they are not there, answers false, so frames are
 * then never reused (slower, never wrong).
 */
function clientReleased(nc: NatsConnection, frame: Uint8Array): boolean {
  const buffers = (nc as { protocol?: { outbound?: { buffers?: unknown } } }).protocol?.outbound?.buffers;
  return Array.isArray(buffers) && !buffers.includes(frame);
}

function parseJson<T>(data: Uint8Array): T | undefined {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as T;
  } catch {
    return undefined;
  }
}
