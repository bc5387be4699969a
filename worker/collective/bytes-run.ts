// Broadcast, allGather and barrier: each sending rank cuts its bytes into chunks and sends every chunk to all
// other ranks; a receiver assembles each sender's chunks (nchunks in every header; the last one may be short,
// an empty payload is one empty chunk). broadcast: only `root` sends; allGather and barrier: every rank does.
import { CollectiveMismatchError } from './errors.js';
import type { Kind } from './frame.js';
import { Dtype, encodeHeader, FRAME_HEADER_BYTES, Phase, type FrameHeader } from './frame.js';
import type { OpRun, RunContext } from './op-run.js';
import { rankList } from './op-run.js';
import { cutChunks } from './plan.js';

type BytesKind = typeof Kind.broadcast | typeof Kind.allGather | typeof Kind.barrier;

export class BytesRun implements OpRun<Uint8Array[]> {
  private readonly parts: (Uint8Array | undefined)[][];
  private readonly expected: (number | undefined)[];
  private readonly got: number[];
  private readonly assembled: (Uint8Array | undefined)[];

  /** `senders`: the ranks whose bytes everyone gets (broadcast: [root]); `bytes`: this rank's, if it sends. */
  constructor(
    private readonly ctx: RunContext,
    readonly kind: BytesKind,
    private readonly senders: readonly number[],
    private readonly bytes: Uint8Array,
  ) {
    this.parts = ctx.worldSize > 0 ? Array.from({ length: ctx.worldSize }, () => []) : [];
    this.expected = new Array<number | undefined>(ctx.worldSize);
    this.got = new Array<number>(ctx.worldSize).fill(0);
    this.assembled = new Array<Uint8Array | undefined>(ctx.worldSize);
  }

  start(): void {
    if (!this.senders.includes(this.ctx.rank)) return;
    this.assembled[this.ctx.rank] = this.bytes;
    if (this.ctx.worldSize === 1) return;
    const chunks =
      this.bytes.length === 0
        ? [{ index: 0, offset: 0, count: 0 }]
        : cutChunks(0, this.bytes.length, this.ctx.chunkBytes);
    for (const chunk of chunks) {
      this.ctx.queueAll('bc', () => {
        const frame = this.ctx.pool.frame(FRAME_HEADER_BYTES + chunk.count);
        const header = {
          phase: Phase.bc,
          dtype: Dtype.bytes,
          kind: this.kind,
          src: this.ctx.rank,
          owner: this.ctx.rank,
          bucket: 0,
          op: this.ctx.op,
          chunk: chunk.index,
          nchunks: chunks.length,
          offset: chunk.offset,
          count: chunk.count,
        };
        encodeHeader(header, frame);
        frame.set(this.bytes.subarray(chunk.offset, chunk.offset + chunk.count), FRAME_HEADER_BYTES);
        return frame;
      });
    }
  }

  onFrame(header: FrameHeader, frame: Uint8Array): void {
    const { src } = header;
    const expected = this.expected[src];
    if (
      header.kind !== this.kind ||
      header.phase !== Phase.bc ||
      !this.senders.includes(src) ||
      (expected !== undefined && expected !== header.nchunks) ||
      this.parts[src]![header.chunk] !== undefined
    ) {
      throw new CollectiveMismatchError(
        this.ctx.site,
        src,
        'collective call',
        `its frame (kind ${header.kind}, phase ${header.phase}, chunk ${header.chunk}/${header.nchunks}) does not fit ` +
          `this rank's ${this.ctx.site.collective} with senders ${rankList(this.senders)}`,
      );
    }
    this.expected[src] = header.nchunks;
    // A copy: the NATS client may hand a Buffer, whose slice() is a view of memory it reuses.
    this.parts[src]![header.chunk] = new Uint8Array(frame.subarray(FRAME_HEADER_BYTES));
    this.got[src]! += 1;
    if (this.got[src] === header.nchunks) {
      const pieces = this.parts[src] as Uint8Array[];
      const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
      const whole = new Uint8Array(total);
      let at = 0;
      for (const piece of pieces) {
        whole.set(piece, at);
        at += piece.length;
      }
      this.assembled[src] = whole;
      this.parts[src] = [];
    }
  }

  received(): boolean {
    return this.senders.every((src) => this.assembled[src] !== undefined);
  }

  /** The senders' bytes, indexed by rank (entries of ranks that did not send are empty). */
  result(): Uint8Array[] {
    return this.assembled.map((bytes) => bytes ?? new Uint8Array(0));
  }

  missing(): string {
    const waiting = this.senders.filter((src) => this.assembled[src] === undefined);
    return `${this.ctx.site.collective} bytes from ranks ${rankList(waiting)}`;
  }
}
