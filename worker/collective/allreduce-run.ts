// Reduce-scatter + all-gather with owner shards (spec/allreduce.md 2.1 (b)): rank j owns shard j (plan.ts);
// every other rank sends j its slices chunk by chunk (owners visited from rank+1 on, so the first chunks
// spread over owners); j keeps a running sum per chunk and adds the contributions strictly in rank order
// 0..n-1 (a contribution that comes before its turn is copied and waits; the one whose turn it is is added
// straight from the received message, as is every later one already waiting), so the bits are those of
// reduce.ts's fixed-order sum whatever the arrival order. Once all n are in, the owner writes the (bf16:
// rounded) sum into its vector and sends it to every rank. The vector is summed in place: this rank's own
// contribution is read from it when its turn comes, and a region is overwritten only after that.
// Copies per chunk on this side (fp32): the reduce-scatter frame (header + slice), the owner's running sum is
// the all-gather frame's payload (no extra frame copy), the sum into the vector, the all-gather payload into the
// vector. bf16 packs, widens and rounds in fused passes (bf16.ts). Buffers come from the engine's pools.
import type { WireFormat } from './collective.js';
import { addBf16, addRoundedBf16, finishBf16, finishPairBf16 } from './bf16.js';
import { CollectiveMismatchError } from './errors.js';
import { encodeHeader, FRAME_HEADER_BYTES, Kind, Phase, type FrameHeader } from './frame.js';
import type { OpRun, RunContext } from './op-run.js';
import { rankList } from './op-run.js';
import { chunkElements, planAllReduce, type ChunkPlan, type ShardPlan } from './plan.js';
import { addFloat32, addFloat32Finish, sumPairFloat32 } from './reduce.js';
import {
  copyPayload,
  decodeFloatPayload,
  encodeFloatFrameInto,
  viewPayload,
  wireDtype,
} from './wire-codec.js';

/** A contribution as it is on the wire: fp32 values or bfloat16 bits. */
type Term = Float32Array | Uint16Array;

export class AllReduceRun implements OpRun<Float32Array> {
  readonly kind = Kind.allReduceSum;
  private readonly shards: ShardPlan[];
  private readonly mine: ShardPlan;
  /** Per chunk of this rank's shard: the rank whose contribution is added next (worldSize once reduced). */
  private readonly next: Int32Array;
  /** Per chunk: the running sum (fp32: the payload of `sumFrames[c]`, the all-gather frame it becomes). */
  private readonly sums: (Float32Array | undefined)[];
  private readonly sumFrames: (Uint8Array | undefined)[];
  /** Per chunk, by rank: contributions that came before their turn (copies in pooled buffers). */
  private readonly waiting: (Term | undefined)[][];
  private reduced = 0;
  /** All-gather chunks received, per owner, and which. */
  private readonly gathered: number[];
  private readonly gatheredChunks: Uint8Array[];
  private readonly dtype: number;

  constructor(
    private readonly ctx: RunContext,
    private readonly vector: Float32Array,
    private readonly wire: WireFormat,
  ) {
    const perChunk = chunkElements(ctx.chunkBytes, wire);
    this.shards = planAllReduce(vector.length, ctx.worldSize, perChunk);
    this.mine = this.shards[ctx.rank]!;
    const chunks = this.mine.chunks.length;
    this.next = new Int32Array(chunks);
    this.sums = new Array<Float32Array | undefined>(chunks);
    this.sumFrames = new Array<Uint8Array | undefined>(chunks);
    this.waiting = this.mine.chunks.map(() => new Array<Term | undefined>(ctx.worldSize));
    this.gathered = new Array<number>(ctx.worldSize).fill(0);
    this.gatheredChunks = this.shards.map((shard) => new Uint8Array(shard.chunks.length));
    this.dtype = wireDtype(wire);
  }

  start(): void {
    const { rank, worldSize } = this.ctx;
    for (let step = 1; step < worldSize; step++) {
      const shard = this.shards[(rank + step) % worldSize]!;
      for (const chunk of shard.chunks) this.ctx.queueTo(shard.owner, () => this.slice(shard, chunk));
    }
    // Alone, this rank's contribution is the whole sum; otherwise its turn comes with the others' frames.
    if (worldSize === 1) for (const chunk of this.mine.chunks) this.advance(chunk.index, -1, undefined);
  }

  onFrame(header: FrameHeader, frame: Uint8Array): void {
    const shard = this.shards[header.owner];
    const chunk = shard?.chunks[header.chunk];
    if (
      header.kind !== this.kind ||
      header.dtype !== this.dtype ||
      !shard ||
      !chunk ||
      header.nchunks !== shard.chunks.length ||
      header.offset !== chunk.offset ||
      header.count !== chunk.count
    ) {
      throw new CollectiveMismatchError(
        this.ctx.site,
        header.src,
        'allReduceSum call',
        `its frame (kind ${header.kind}, dtype ${header.dtype}, shard ${header.owner} chunk ${header.chunk}/` +
          `${header.nchunks} at ${header.offset}+${header.count}) does not fit this rank's allReduceSum of ` +
          `${this.vector.length} elements on the ${this.wire} wire`,
      );
    }
    const c = chunk.index;
    if (header.phase === Phase.rs) {
      if (header.owner !== this.ctx.rank || this.next[c]! > header.src || this.waiting[c]![header.src]) {
        throw new CollectiveMismatchError(
          this.ctx.site,
          header.src,
          'reduce-scatter routing',
          `unexpected or duplicate chunk ${c}`,
        );
      }
      const { values, pooled } = viewPayload(frame, chunk.count, this.wire, this.ctx.pool);
      const used = this.advance(c, header.src, values);
      if (used) {
        if (pooled) this.ctx.pool.release(values);
      } else {
        // Not its turn yet: keep it (a view of the message is only valid during this call).
        this.waiting[c]![header.src] = pooled
          ? values
          : copyPayload(
              new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
              chunk.count,
              this.wire,
              this.ctx.pool,
            );
      }
      return;
    }
    if (header.phase !== Phase.ag || header.owner !== header.src || this.gatheredChunks[header.owner]![c]) {
      throw new CollectiveMismatchError(
        this.ctx.site,
        header.src,
        'all-gather routing',
        `unexpected or duplicate chunk ${c}`,
      );
    }
    decodeFloatPayload(frame, this.wire, this.vector.subarray(chunk.offset, chunk.offset + chunk.count));
    this.gatheredChunks[header.owner]![c] = 1;
    this.gathered[header.owner]! += 1;
  }

  received(): boolean {
    if (this.reduced < this.mine.chunks.length) return false;
    return this.shards.every(
      (shard) => shard.owner === this.ctx.rank || this.gathered[shard.owner] === shard.chunks.length,
    );
  }

  result(): Float32Array {
    return this.vector;
  }

  missing(): string {
    const waitingOn = new Set<number>();
    this.mine.chunks.forEach((_, c) => {
      for (let r = this.next[c]!; r < this.ctx.worldSize; r++)
        if (r !== this.ctx.rank && !this.waiting[c]![r]) waitingOn.add(r);
    });
    const owners = this.shards
      .filter((shard) => shard.owner !== this.ctx.rank && this.gathered[shard.owner]! < shard.chunks.length)
      .map((shard) => shard.owner);
    return (
      `reduce-scatter chunks (${this.reduced}/${this.mine.chunks.length} reduced) from ranks ` +
      `${rankList([...waitingOn].sort((a, b) => a - b))}; all-gather chunks from owners ${rankList(owners)}`
    );
  }

  private header(phase: Phase, owner: number, chunk: number, nchunks: number, offset: number) {
    return {
      phase,
      kind: this.kind,
      src: this.ctx.rank,
      owner,
      bucket: 0,
      op: this.ctx.op,
      chunk,
      nchunks,
      offset,
    };
  }

  /** This rank's slice of `chunk` of `shard`, as a reduce-scatter frame in a pooled buffer. */
  private slice(shard: ShardPlan, chunk: ChunkPlan): Uint8Array {
    const bytes = this.wire === 'bf16' ? 2 : 4;
    return encodeFloatFrameInto(
      this.ctx.pool.frame(FRAME_HEADER_BYTES + chunk.count * bytes),
      this.header(Phase.rs, shard.owner, chunk.index, shard.chunks.length, chunk.offset),
      this.vector.subarray(chunk.offset, chunk.offset + chunk.count),
      this.wire,
    );
  }

  /**
   * Adds to chunk `c`'s running sum every contribution whose turn has come: this rank's own (from the vector),
   * `incoming` from rank `src` (valid only during this call), the waiting ones. Returns whether `incoming` was
   * added; finishes the chunk once all n are in.
   */
  private advance(c: number, src: number, incoming: Term | undefined): boolean {
    const { rank, worldSize } = this.ctx;
    const chunk = this.mine.chunks[c]!;
    const waiting = this.waiting[c]!;
    let r = this.next[c]!;
    if (worldSize === 2 && r === 0 && src >= 0) {
      // Two ranks: both contributions are here now (this rank's and the incoming one): one fused pass.
      this.finishPair(c, chunk, incoming!, rank === 0);
      this.next[c] = 2;
      return true;
    }
    for (; r < worldSize; r++) {
      let term: Term | undefined;
      if (r === rank) term = this.vector.subarray(chunk.offset, chunk.offset + chunk.count);
      else if (r === src) term = incoming;
      else term = waiting[r];
      if (!term) break;
      if (r === worldSize - 1 && r > 0) {
        this.finish(c, chunk, term); // the last addition fused with the rounding and the write-out
      } else {
        this.add(c, chunk, term, r === 0, r === rank);
        if (r === worldSize - 1) this.finish(c, chunk, undefined);
      }
      if (r !== rank && r !== src) {
        this.ctx.pool.release(term);
        waiting[r] = undefined;
      }
    }
    this.next[c] = r;
    return src >= 0 && r > src;
  }

  private add(c: number, chunk: ChunkPlan, term: Term, first: boolean, own: boolean): void {
    let sum = this.sums[c];
    if (!sum) {
      if (this.wire === 'fp32') {
        const frame = this.ctx.pool.frame(FRAME_HEADER_BYTES + chunk.count * 4);
        this.sumFrames[c] = frame;
        sum = new Float32Array(frame.buffer, frame.byteOffset + FRAME_HEADER_BYTES, chunk.count);
      } else {
        sum = new Float32Array(this.ctx.floats.take(), 0, chunk.count);
      }
      this.sums[c] = sum;
    }
    if (term instanceof Uint16Array) {
      const scratch = first ? sum : new Float32Array(this.ctx.floats.take(), 0, chunk.count);
      addBf16(sum, term, first, scratch);
      if (!first) this.ctx.floats.release(scratch);
    } else if (own && this.wire === 'bf16') {
      const scratch = first ? sum : new Float32Array(this.ctx.floats.take(), 0, chunk.count);
      addRoundedBf16(sum, term, first, scratch);
      if (!first) this.ctx.floats.release(scratch);
    } else {
      addFloat32(sum, term, first);
    }
  }

  /** Two ranks: the chunk's sum of this rank's contribution and `received`, in rank order, written out and sent. */
  private finishPair(c: number, chunk: ChunkPlan, received: Term, ownFirst: boolean): void {
    const own = this.vector.subarray(chunk.offset, chunk.offset + chunk.count);
    let frame: Uint8Array;
    if (this.wire === 'fp32') {
      frame = this.ctx.pool.frame(FRAME_HEADER_BYTES + chunk.count * 4);
      const sum = new Float32Array(frame.buffer, frame.byteOffset + FRAME_HEADER_BYTES, chunk.count);
      const other = received as Float32Array;
      sumPairFloat32(ownFirst ? own : other, ownFirst ? other : own, sum, own);
    } else {
      frame = this.ctx.pool.frame(FRAME_HEADER_BYTES + chunk.count * 2);
      const wire = new Uint16Array(frame.buffer, frame.byteOffset + FRAME_HEADER_BYTES, chunk.count);
      const scratch = new Float32Array(this.ctx.floats.take(), 0, chunk.count);
      finishPairBf16(own, received as Uint16Array, ownFirst, own, wire, scratch);
      this.ctx.floats.release(scratch);
    }
    this.send(c, chunk, frame);
  }

  /**
   * Adds `last` (rank n-1's contribution; undefined when already added) and, all n being in, writes the (bf16:
   * rounded) sum into the vector and sends it, as a frame, to every rank.
   */
  private finish(c: number, chunk: ChunkPlan, last: Term | undefined): void {
    const sum = this.sums[c]!;
    const out = this.vector.subarray(chunk.offset, chunk.offset + chunk.count);
    let frame: Uint8Array;
    if (this.wire === 'fp32') {
      frame = this.sumFrames[c]!;
      if (last) addFloat32Finish(sum, last as Float32Array, out);
      else out.set(sum);
    } else {
      frame = this.ctx.pool.frame(FRAME_HEADER_BYTES + chunk.count * 2);
      const wire = new Uint16Array(frame.buffer, frame.byteOffset + FRAME_HEADER_BYTES, chunk.count);
      finishBf16(sum, last, out, wire);
      this.ctx.floats.release(sum);
    }
    this.sums[c] = undefined;
    this.sumFrames[c] = undefined;
    this.send(c, chunk, frame);
  }

  /** Chunk `c` is reduced: its frame (payload already written) gets its header and goes to every rank. */
  private send(c: number, chunk: ChunkPlan, frame: Uint8Array): void {
    encodeHeader(
      {
        ...this.header(Phase.ag, this.ctx.rank, c, this.mine.chunks.length, chunk.offset),
        dtype: this.dtype as FrameHeader['dtype'],
        count: chunk.count,
      },
      frame,
    );
    this.reduced += 1;
    if (this.ctx.worldSize > 1) this.ctx.queueAll('ag', () => frame);
    else this.ctx.pool.release(frame);
  }
}
