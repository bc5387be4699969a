// The collectives on one machine, no server to install (the embedded default of `baclctl run --workers N`):
// ranks are processes, each listening on <socketDir>/r<rank>.sock and connected to every other rank's
// socket, so each ordered pair has its own stream (in-order, reliable). The same engine as over NATS runs on
// top (engine.ts), so a local run and a NATS run of a job give the same bits. A peer's socket closing without
// its clean-leave notice is a PeerLostError at once: the kernel tells us when a process dies.
import { existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CollectiveEngine, type EngineOptions } from './engine.js';
import { EngineCollective } from './engine-collective.js';
import {
  CollectiveAbortedError,
  CollectiveMismatchError,
  CollectiveTimeoutError,
  type CollectiveSite,
} from './errors.js';
import { messagePrefix, MessageReader, MessageType } from './socket-framing.js';
import type { AbortNotice, CollectiveTransport, Route } from './transport.js';

export interface LocalGroupOptions extends Omit<EngineOptions, 'rank' | 'worldSize'> {
  /** A directory private to this group (the launcher makes it); sockets live there. Keep it short (108-byte socket paths). */
  socketDir: string;
  rank: number;
  worldSize: number;
  configDigest: string;
  /** How long to wait for every rank to connect. @default 120000 ms */
  rendezvousTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Frame limit of the local transport: no server caps it, so it only bounds the frame (and so the chunk) size.
 * @default 1 MiB + header: chunks are then the same 512 KiB as over NATS (plan.ts).
 */
export const LOCAL_MAX_FRAME_BYTES = 1024 * 1024 + 32;

interface Hello {
  rank: number;
  worldSize: number;
  configDigest: string;
}

export async function joinLocalGroup(options: LocalGroupOptions): Promise<LocalCollective> {
  const group = new LocalCollective(options);
  try {
    await group.rendezvous(options);
  } catch (error) {
    await group.close();
    throw error;
  }
  return group;
}

export class LocalCollective extends EngineCollective {
  readonly rank: number;
  readonly worldSize: number;
  protected readonly engine: CollectiveEngine;
  private readonly outgoing: (Socket | undefined)[];
  private readonly helloFrom = new Set<number>();
  private readonly server: Server;
  private readonly socketPath: string;
  private readonly incoming = new Set<Socket>();
  private readonly left = new Set<number>();
  private closing = false;
  private rendezvousFailure: Error | undefined;
  private onChange: (() => void) | undefined;

  constructor(private readonly options: LocalGroupOptions) {
    super();
    this.rank = options.rank;
    this.worldSize = options.worldSize;
    this.outgoing = new Array<Socket | undefined>(options.worldSize);
    const transport: CollectiveTransport = {
      maxFrameBytes: LOCAL_MAX_FRAME_BYTES,
      sendData: (_route: Route, _op: number, to: number, frame: Uint8Array, release) => {
        // A socket keeps a reference to a written buffer until the kernel took it: the frame goes back to the
        // pool once every write of it has completed (never, if a socket was gone: then it is left to the GC).
        const targets = to >= 0 ? [to] : [...Array(this.worldSize).keys()].filter((r) => r !== this.rank);
        let pending = targets.length;
        const done = (error?: Error | null) => {
          if (error) pending = Infinity;
          else if (--pending === 0) release(frame);
        };
        for (const r of targets) if (!this.send(r, MessageType.data, frame, done)) pending = Infinity;
      },
      sendGrant: (to: number, cumulative: number) => {
        const body = new Uint8Array(4);
        new DataView(body.buffer).setUint32(0, cumulative, true);
        this.send(to, MessageType.grant, body);
      },
      sendAbort: (notice: AbortNotice) => this.sendNotice(notice),
    };
    this.engine = new CollectiveEngine(transport, {
      ...options,
      rank: options.rank,
      worldSize: options.worldSize,
    });
    this.socketPath = join(options.socketDir, `r${this.rank}.sock`);
    this.server = createServer((socket) => this.accept(socket));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    if (this.engine.busy) {
      this.engine.fail(
        (site) => new CollectiveAbortedError(site, this.rank, 'the rank closed its group'),
        true,
      );
    } else if (!this.engine.poisoned) {
      this.sendNotice(this.engine.leaving());
    }
    this.closing = true;
    const open = this.outgoing.filter((socket): socket is Socket => socket !== undefined);
    await Promise.all(open.map((socket) => new Promise<void>((resolve) => socket.end(resolve))));
    for (const socket of this.incoming) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }

  /** Listens, connects to every other rank and waits until every rank has connected here. */
  async rendezvous(options: LocalGroupOptions): Promise<void> {
    if (existsSync(this.socketPath)) rmSync(this.socketPath);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => resolve());
    });
    const timeoutMs = options.rendezvousTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    const site: CollectiveSite = { rank: this.rank, op: -1, collective: 'rendezvous' };
    const hello = new TextEncoder().encode(
      JSON.stringify({
        rank: this.rank,
        worldSize: this.worldSize,
        configDigest: options.configDigest,
      } satisfies Hello),
    );
    await Promise.all(
      Array.from({ length: this.worldSize }, async (_, peer) => {
        if (peer === this.rank) return;
        const socket = await this.dial(join(options.socketDir, `r${peer}.sock`), deadline, options.signal);
        if (!socket) return;
        // Only the incoming stream reports a peer's end: it carries the peer's data and notices in order.
        socket.on('error', () => undefined);
        this.outgoing[peer] = socket;
        this.send(peer, MessageType.hello, hello);
      }),
    );
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.rendezvousFailure) return finish(this.rendezvousFailure);
        if (options.signal?.aborted)
          return finish(new CollectiveAbortedError(site, this.rank, 'rendezvous cancelled'));
        if (Date.now() > deadline) {
          const missing = [...Array(this.worldSize).keys()].filter(
            (r) => r !== this.rank && (!this.outgoing[r] || !this.helloFrom.has(r)),
          );
          return finish(
            new CollectiveTimeoutError(site, timeoutMs, `local rendezvous with ranks ${missing.join(', ')}`),
          );
        }
        if (
          this.helloFrom.size === this.worldSize - 1 &&
          this.outgoing.filter(Boolean).length === this.worldSize - 1
        )
          finish();
      };
      const ticker = setInterval(check, 50);
      const finish = (error?: Error) => {
        clearInterval(ticker);
        this.onChange = undefined;
        if (error) reject(error);
        else resolve();
      };
      this.onChange = check;
      check();
    });
  }

  private async dial(
    path: string,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<Socket | undefined> {
    while (Date.now() < deadline && !signal?.aborted && !this.rendezvousFailure) {
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const attempt = createConnection(path);
        attempt.once('connect', () => resolve(attempt));
        attempt.once('error', () => resolve(undefined));
      });
      if (socket) return socket;
      await sleep(50);
    }
    return undefined;
  }

  private accept(socket: Socket): void {
    this.incoming.add(socket);
    let peer: number | undefined;
    const reader = new MessageReader((type, body) => {
      if (type === MessageType.hello) {
        const hello = JSON.parse(new TextDecoder().decode(body)) as Hello;
        peer = hello.rank;
        this.checkHello(hello);
        this.helloFrom.add(hello.rank);
        this.onChange?.();
        return;
      }
      if (peer === undefined) return;
      if (type === MessageType.data) this.engine.receiveData(body);
      else if (type === MessageType.grant)
        this.engine.receiveGrant(peer, new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true));
      else if (type === MessageType.notice) {
        const notice = JSON.parse(new TextDecoder().decode(body)) as AbortNotice;
        if (notice.kind === 'left') this.left.add(notice.from);
        this.engine.receiveAbort(notice);
      }
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.incoming.delete(socket);
      if (peer !== undefined) this.onPeerClosed(peer);
    });
  }

  private checkHello(hello: Hello): void {
    const site: CollectiveSite = { rank: this.rank, op: -1, collective: 'rendezvous' };
    const fields: [keyof Hello, unknown, unknown][] = [
      ['worldSize', this.worldSize, hello.worldSize],
      ['configDigest', this.options.configDigest, hello.configDigest],
    ];
    for (const [field, ours, theirs] of fields) {
      if (ours !== theirs) {
        const error = new CollectiveMismatchError(
          site,
          hello.rank,
          field,
          `it has ${String(theirs)}, this rank has ${String(ours)}`,
        );
        this.rendezvousFailure ??= error;
        this.engine.fail(() => error, true);
      }
    }
  }

  private onPeerClosed(peer: number): void {
    if (this.closing || this.left.has(peer)) return;
    this.engine.peerLost(peer, 'its socket closed (the process exited or crashed)');
  }

  private sendNotice(notice: AbortNotice): void {
    const body = new TextEncoder().encode(JSON.stringify(notice));
    for (let r = 0; r < this.worldSize; r++) if (r !== this.rank) this.send(r, MessageType.notice, body);
  }

  /** Writes one message to rank `to`; false when its socket is gone (then `written` is never called). */
  private send(
    to: number,
    type: MessageType,
    body: Uint8Array,
    written?: (error?: Error | null) => void,
  ): boolean {
    const socket = this.outgoing[to];
    if (!socket || socket.destroyed) return false;
    socket.write(messagePrefix(type, body.length));
    socket.write(body, written);
    return true;
  }
}
