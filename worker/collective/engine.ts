// The collective engine: runs one operation at a time over any CollectiveTransport. It numbers operations
// (the same sequence on every rank), buffers frames of the next operation that arrive early, queues sends per
// receiver behind credit windows (credits.ts; a fan-out frame waits for credit from every receiver, and each
// receiver's queue moves independently, so one slow owner never blocks the others), enforces the operation's
// deadline, and turns every failure into a typed error that poisons the group and is announced to the others.
import { AllReduceRun } from './allreduce-run.js';
import { BytesRun } from './bytes-run.js';
import type { AllReduceOptions, Collective, CollectiveCallOptions } from './collective.js';
import { CreditLedger, DEFAULT_RECEIVER_WINDOW_BYTES, GrantTracker, windowFrames } from './credits.js';
import {
  CollectiveAbortedError,
  CollectiveError,
  CollectiveOptionError,
  CollectiveTimeoutError,
  FrameError,
  PeerLostError,
  type CollectiveName,
  type CollectiveSite,
} from './errors.js';
import { decodeHeader, FRAME_HEADER_BYTES, Kind, type FrameHeader } from './frame.js';
import { DEFAULT_POOL_BUFFERS, FramePool } from './frame-pool.js';
import type { OpRun, RunContext } from './op-run.js';
import { chunkPayloadBytes, DEFAULT_CHUNK_BYTES } from './plan.js';
import type { AbortNotice, CollectiveTransport, Route } from './transport.js';

export interface EngineOptions {
  rank: number;
  worldSize: number;
  /** Deadline of one collective call, in ms. @default 300000 (5 min: a step's all-reduce, with margin) */
  opTimeoutMs?: number;
  /** Payload bytes per frame, capped by the transport. @default 512 KiB (plan.ts) */
  preferredChunkBytes?: number;
  /** Bytes a receiver lets be in flight towards it, over all senders. @default 16 MiB (credits.ts) */
  receiverWindowBytes?: number;
}

export const DEFAULT_OP_TIMEOUT_MS = 300_000;

/** Counters for tests and benchmarks. */
export interface EngineStats {
  framesSent: number;
  framesReceived: number;
  /** Frames that arrived before their operation started (buffered, credited when used). */
  framesEarly: number;
  /** Frames of operations already finished: a bug or a foreign publisher; dropped. */
  framesStale: number;
}

type Failure = (site: CollectiveSite) => CollectiveError;

interface Active {
  run: OpRun<unknown>;
  site: CollectiveSite;
  finish: (error?: CollectiveError) => void;
}

interface Outgoing {
  route: Route;
  to: number;
  build: () => Uint8Array;
}

export class CollectiveEngine implements Omit<Collective, 'close'> {
  readonly rank: number;
  readonly worldSize: number;
  readonly stats: EngineStats = { framesSent: 0, framesReceived: 0, framesEarly: 0, framesStale: 0 };
  private readonly opTimeoutMs: number;
  private readonly chunkBytes: number;
  private readonly ledger: CreditLedger;
  private readonly grants: GrantTracker;
  private readonly queues: Outgoing[][];
  private readonly fanQueue: Outgoing[] = [];
  private readonly early = new Map<number, { header: FrameHeader; frame: Uint8Array }[]>();
  private nextOp = 0;
  private active: Active | undefined;
  private failure: Failure | undefined;
  private lastCollective: CollectiveName = 'rendezvous';
  private readonly departed = new Map<number, number>();
  private readonly pool: FramePool;
  private readonly floats: FramePool;
  private readonly releaseFrame = (frame: Uint8Array) => this.pool.release(frame);

  constructor(
    private readonly transport: CollectiveTransport,
    options: EngineOptions,
  ) {
    const { rank, worldSize } = options;
    if (!Number.isInteger(worldSize) || worldSize < 1 || worldSize > 65535) {
      throw new CollectiveOptionError('worldSize', worldSize, 'must be an integer in [1, 65535]');
    }
    if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
      throw new CollectiveOptionError('rank', rank, `must be an integer in [0, ${worldSize - 1}]`);
    }
    this.rank = rank;
    this.worldSize = worldSize;
    this.opTimeoutMs = options.opTimeoutMs ?? DEFAULT_OP_TIMEOUT_MS;
    this.chunkBytes = chunkPayloadBytes(
      transport.maxFrameBytes,
      options.preferredChunkBytes ?? DEFAULT_CHUNK_BYTES,
    );
    const window = windowFrames(
      options.receiverWindowBytes ?? DEFAULT_RECEIVER_WINDOW_BYTES,
      worldSize,
      this.chunkBytes + FRAME_HEADER_BYTES,
    );
    this.ledger = new CreditLedger(worldSize, rank, window);
    this.grants = new GrantTracker(worldSize, window);
    this.queues = Array.from({ length: worldSize }, () => []);
    // Frames in flight are bounded by the credit windows (reduce-scatter and all-gather, to n-1 receivers; a
    // socket holds them until written), so the pool keeps that many, and never fewer than the default.
    this.pool = new FramePool(
      this.chunkBytes + FRAME_HEADER_BYTES,
      Math.max(DEFAULT_POOL_BUFFERS, 2 * window * Math.max(1, worldSize - 1) + 16),
    );
    // float32 scratch for a chunk of the narrowest wire (bf16: 2 bytes on the wire, 4 in a sum)
    this.floats = new FramePool(4 * Math.ceil(this.chunkBytes / 2), 16);
  }

  /** Buffers (frames and scratch) the engine had to allocate so far: flat once its pools are warm. */
  get buffersAllocated(): number {
    return this.pool.allocated + this.floats.allocated;
  }

  /** The largest frame the transport carries. */
  get maxFrameBytes(): number {
    return this.transport.maxFrameBytes;
  }

  /** The operation number the next call will get. */
  get op(): number {
    return this.nextOp;
  }

  barrier(options: CollectiveCallOptions = {}): Promise<void> {
    const all = Array.from({ length: this.worldSize }, (_, r) => r);
    return this.runOp(
      'barrier',
      options,
      (ctx) => new BytesRun(ctx, Kind.barrier, all, new Uint8Array(0)),
    ).then(() => undefined);
  }

  async broadcast(bytes: Uint8Array, root: number, options: CollectiveCallOptions = {}): Promise<Uint8Array> {
    if (!Number.isInteger(root) || root < 0 || root >= this.worldSize) {
      throw new CollectiveOptionError('root', root, `must be a rank in [0, ${this.worldSize - 1}]`);
    }
    const parts = await this.runOp(
      'broadcast',
      options,
      (ctx) => new BytesRun(ctx, Kind.broadcast, [root], bytes),
    );
    return parts[root]!;
  }

  allGather(bytes: Uint8Array, options: CollectiveCallOptions = {}): Promise<Uint8Array[]> {
    const all = Array.from({ length: this.worldSize }, (_, r) => r);
    return this.runOp('allGather', options, (ctx) => new BytesRun(ctx, Kind.allGather, all, bytes));
  }

  allReduceSum(vector: Float32Array, options: AllReduceOptions = {}): Promise<Float32Array> {
    const wire = options.wire ?? 'fp32';
    if (wire !== 'fp32' && wire !== 'bf16')
      throw new CollectiveOptionError('wire', wire, "must be 'fp32' or 'bf16'");
    return this.runOp('allReduceSum', options, (ctx) => new AllReduceRun(ctx, vector, wire));
  }

  abort(reason: string): void {
    this.fail((site) => new CollectiveAbortedError(site, this.rank, reason), true);
  }

  /** A data frame from the transport. Malformed frames are dropped (counted), never thrown into the transport. */
  receiveData(frame: Uint8Array): void {
    if (this.failure) return; // the group is over; nothing more is used or credited
    let header: FrameHeader;
    try {
      header = decodeHeader(frame);
    } catch (error) {
      if (error instanceof FrameError) {
        this.stats.framesStale += 1;
        return;
      }
      throw error;
    }
    this.stats.framesReceived += 1;
    if (header.src >= this.worldSize || header.src === this.rank) {
      this.stats.framesStale += 1;
      return;
    }
    const activeOp = this.active ? this.nextOp - 1 : undefined;
    if (header.op === activeOp) {
      this.process(header, frame);
    } else if (header.op >= this.nextOp) {
      this.stats.framesEarly += 1;
      const list = this.early.get(header.op) ?? [];
      list.push({ header, frame: new Uint8Array(frame) }); // a copy: a Buffer's slice() is a view
      this.early.set(header.op, list);
    } else {
      this.stats.framesStale += 1;
      this.credit(header.src);
    }
  }

  /** A grant from rank `from`: it has room for `cumulative` frames from this rank in all. */
  receiveGrant(from: number, cumulative: number): void {
    if (from < this.worldSize && this.ledger.grant(from, cumulative)) this.pump();
  }

  /** An abort announced by another rank (or its clean departure). */
  receiveAbort(notice: AbortNotice): void {
    if (notice.from === this.rank) return;
    if (notice.kind === 'left') {
      this.peerLeft(notice.from, notice.ops ?? 0);
      return;
    }
    if (notice.kind === 'peer-lost' && notice.peer !== undefined) {
      const peer = notice.peer;
      this.fail((site) => new PeerLostError(site, peer, notice.from, notice.reason), false);
    } else {
      this.fail((site) => new CollectiveAbortedError(site, notice.from, notice.reason), false);
    }
  }

  /**
   * Rank `peer` closed the group after `ops` operations: operations up to there are unaffected (it sent all
   * it had to), a later one fails at once with PeerLostError instead of waiting for its deadline.
   */
  peerLeft(peer: number, ops: number): void {
    if (peer < 0 || peer >= this.worldSize || peer === this.rank) return;
    this.departed.set(peer, ops);
    const running = this.active ? this.nextOp - 1 : undefined;
    if (running !== undefined && running >= ops)
      this.fail((site) => new PeerLostError(site, peer, peer, 'it closed the group'), false);
  }

  /** This rank's clean departure, for the transport to send when closing. */
  leaving(): AbortNotice {
    return { from: this.rank, kind: 'left', ops: this.nextOp, reason: 'closed the group' };
  }

  /** Rank `peer` is gone (no heartbeat, exited): fail and tell the others. */
  peerLost(peer: number, reason: string): void {
    this.fail((site) => new PeerLostError(site, peer, this.rank, reason), true);
  }

  /** Fails the group with `failure` (used by transports for their own errors); `announce` tells the others. */
  fail(failure: Failure, announce: boolean): void {
    if (this.failure) return;
    this.failure = failure;
    const site = this.active?.site ?? this.siteFor(this.lastCollective, this.nextOp);
    const error = failure(site);
    if (announce) {
      this.transport.sendAbort(
        error instanceof PeerLostError
          ? { from: this.rank, kind: 'peer-lost', peer: error.peer, reason: error.reason }
          : {
              from: this.rank,
              kind: 'abort',
              reason: error instanceof CollectiveAbortedError ? error.reason : error.message,
            },
      );
    }
    this.queues.forEach((queue) => (queue.length = 0));
    this.fanQueue.length = 0;
    this.early.clear();
    this.active?.finish(failure(this.active.site));
  }

  /** Whether the group has failed (every call now throws). */
  get poisoned(): boolean {
    return this.failure !== undefined;
  }

  /** Whether an operation is running (a close now would leave peers waiting). */
  get busy(): boolean {
    return this.active !== undefined;
  }

  private siteFor(collective: CollectiveName, op: number, step?: number): CollectiveSite {
    return step === undefined
      ? { rank: this.rank, op, collective }
      : { rank: this.rank, op, collective, step };
  }

  private runOp<T>(
    collective: CollectiveName,
    options: CollectiveCallOptions,
    makeRun: (ctx: RunContext) => OpRun<T>,
  ): Promise<T> {
    if (this.active) {
      throw new CollectiveOptionError(
        collective,
        this.active.site.collective,
        'one collective call at a time: await the previous one',
      );
    }
    const op = this.nextOp;
    const site = this.siteFor(collective, op, options.step);
    this.lastCollective = collective;
    for (const [peer, ops] of this.departed) {
      if (op >= ops) this.fail((s) => new PeerLostError(s, peer, peer, 'it closed the group'), false);
    }
    const failure = this.failure;
    if (failure) return Promise.reject(failure(site));
    this.nextOp += 1;
    const ctx: RunContext = {
      rank: this.rank,
      worldSize: this.worldSize,
      op,
      site,
      chunkBytes: this.chunkBytes,
      pool: this.pool,
      floats: this.floats,
      queueTo: (to, build) => this.queues[to]!.push({ route: 'rs', to, build }),
      queueAll: (route, build) => this.fanQueue.push({ route, to: -1, build }),
    };
    const run = makeRun(ctx);
    return new Promise<T>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => {
        const reason =
          signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? 'aborted');
        this.fail((s) => new CollectiveAbortedError(s, this.rank, reason, { cause: signal?.reason }), true);
      };
      const timer = setTimeout(() => {
        const missing = `${run.missing()} (credits sent/granted: ${this.creditReport()})`;
        this.fail((s) => new CollectiveTimeoutError(s, this.opTimeoutMs, missing), true);
      }, this.opTimeoutMs);
      this.active = {
        run: run,
        site,
        finish: (error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.active = undefined;
          if (error) reject(error);
          else resolve(run.result());
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        run.start();
        const early = this.early.get(op) ?? [];
        this.early.delete(op);
        for (const { header, frame } of early) {
          if (!this.active) break;
          this.process(header, frame);
        }
        this.pump();
      } catch (error) {
        this.failWith(error);
      }
    });
  }

  private process(header: FrameHeader, frame: Uint8Array): void {
    const active = this.active;
    if (!active) return;
    try {
      active.run.onFrame(header, frame);
    } catch (error) {
      this.failWith(error);
      return;
    }
    this.credit(header.src);
    this.pump();
  }

  private failWith(error: unknown): void {
    if (error instanceof CollectiveError) {
      this.fail(() => error, true);
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    this.fail(
      (s) => new CollectiveAbortedError(s, this.rank, `internal error: ${reason}`, { cause: error }),
      true,
    );
  }

  private credit(src: number): void {
    const cumulative = this.grants.processed(src);
    if (cumulative !== undefined) this.transport.sendGrant(src, cumulative);
  }

  /** Sends whatever the credits allow: each receiver's queue on its own, fan-out frames when all have room. */
  private pump(): void {
    if (this.failure) return;
    const op = this.nextOp - 1;
    for (let to = 0; to < this.worldSize; to++) {
      const queue = this.queues[to]!;
      while (queue.length > 0 && this.ledger.canSend(to)) {
        const item = queue.shift()!;
        this.ledger.spend(to);
        this.stats.framesSent += 1;
        this.transport.sendData(item.route, op, to, item.build(), this.releaseFrame);
      }
    }
    while (this.fanQueue.length > 0 && this.ledger.canSendAll()) {
      const item = this.fanQueue.shift()!;
      this.ledger.spendAll();
      this.stats.framesSent += 1;
      this.transport.sendData(item.route, op, -1, item.build(), this.releaseFrame);
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    const active = this.active;
    if (!active || !active.run.received()) return;
    if (this.fanQueue.length > 0 || this.queues.some((queue) => queue.length > 0)) return;
    active.finish();
  }

  private creditReport(): string {
    const parts: string[] = [];
    for (let r = 0; r < this.worldSize; r++)
      if (r !== this.rank) parts.push(`rank ${r} ${this.ledger.describe(r)}`);
    return parts.join(', ') || 'none';
  }
}
