// Reduce-scatter + all-gather with owner shards (spec/allreduce.md 2.1 (b)): rank j owns shard j (plan.ts);
// every other rank sends j its slices chunk by chunk (owners visited from rank+1 on, so the first chunks
// spread over owners); j sums each chunk in rank order 0..n-1 once all n contributions are in (arrival order
// does not matter) and sends the reduced chunk to every rank, adopting the decoded value itself. The vector
// is summed in place: a region is overwritten only after this rank's contribution from it was sent or copied.
import type { WireFormat } from './collective.js';
import { roundToBf16 } from './bf16.js';
import { CollectiveMismatchError } from './errors.js';
import { Kind, Phase, type FrameHeader } from './frame.js';
import type { OpRun, RunContext } from './op-run.js';
import { rankList } from './op-run.js';
import { chunkElements, planAllReduce, type ShardPlan } from './plan.js';
import { sumInRankOrder } from './reduce.js';
import { decodeFloatPayload, encodeFloatFrame, viewFp32Payload, wireDtype } from './wire-codec.js';

export class AllReduceRun implements OpRun<Float32Array> {
  readonly kind = Kind.allReduceSum;
  private readonly shards: ShardPlan[];
  private readonly mine: ShardPlan;
  /** Per chunk of this rank's shard: the contributions so far, indexed by rank. */
  private readonly slots: (Float32Array | undefined)[][];
  private readonly filled: number[];
  private reduced = 0;
  /** All-gather chunks received, per owner. */
  private readonly gathered: number[];
  private readonly gatheredChunks: Set<number>[];

  constructor(
    private readonly ctx: RunContext,
    private readonly vector: Float32Array,
    private readonly wire: WireFormat,
  ) {
    const perChunk = chunkElements(ctx.chunkBytes, wire);
    this.shards = planAllReduce(vector.length, ctx.worldSize, perChunk);
    this.mine = this.shards[ctx.rank]!;
    this.slots = this.mine.chunks.map(() => new Array<Float32Array | undefined>(ctx.worldSize));
    this.filled = this.mine.chunks.map(() => 0);
    this.gathered = new Array<number>(ctx.worldSize).fill(0);
    this.gatheredChunks = this.shards.map(() => new Set<number>());
  }

  start(): void {
    const { rank, worldSize } = this.ctx;
    for (let step = 1; step < worldSize; step++) {
      const shard = this.shards[(rank + step) % worldSize]!;
      for (const chunk of shard.chunks) {
        this.ctx.queueTo(shard.owner, () =>
          encodeFloatFrame(
            this.header(Phase.rs, shard.owner, chunk.index, shard.chunks.length, chunk.offset),
            this.vector.subarray(chunk.offset, chunk.offset + chunk.count),
            this.wire,
          ),
        );
      }
    }
    for (const chunk of this.mine.chunks) {
      const own = this.vector.slice(chunk.offset, chunk.offset + chunk.count);
      if (this.wire === 'bf16') roundToBf16(own);
      this.accept(chunk.index, rank, own);
    }
  }

  onFrame(header: FrameHeader, frame: Uint8Array): void {
    const shard = this.shards[header.owner];
    const chunk = shard?.chunks[header.chunk];
    if (
      header.kind !== this.kind ||
      header.dtype !== wireDtype(this.wire) ||
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
    if (header.phase === Phase.rs) {
      if (header.owner !== this.ctx.rank || this.slots[chunk.index]![header.src]) {
        throw new CollectiveMismatchError(
          this.ctx.site,
          header.src,
          'reduce-scatter routing',
          `unexpected or duplicate chunk ${chunk.index}`,
        );
      }
      const last = this.filled[chunk.index] === this.ctx.worldSize - 1;
      let values: Float32Array;
      if (this.wire === 'fp32') {
        // The last contribution is summed before the callback returns, so it may stay a view of the message.
        values = viewFp32Payload(frame, chunk.count);
        if (!last && values.buffer === frame.buffer) values = values.slice();
      } else {
        values = new Float32Array(chunk.count);
        decodeFloatPayload(frame, 'bf16', values);
      }
      this.accept(chunk.index, header.src, values);
      return;
    }
    if (
      header.phase !== Phase.ag ||
      header.owner !== header.src ||
      this.gatheredChunks[header.owner]!.has(chunk.index)
    ) {
      throw new CollectiveMismatchError(
        this.ctx.site,
        header.src,
        'all-gather routing',
        `unexpected or duplicate chunk ${chunk.index}`,
      );
    }
    decodeFloatPayload(frame, this.wire, this.vector.subarray(chunk.offset, chunk.offset + chunk.count));
    this.gatheredChunks[header.owner]!.add(chunk.index);
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
    this.slots.forEach((slot, c) => {
      if (this.filled[c]! < this.ctx.worldSize)
        for (let r = 0; r < this.ctx.worldSize; r++) if (!slot[r]) waitingOn.add(r);
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

  private accept(index: number, src: number, values: Float32Array): void {
    const slot = this.slots[index]!;
    slot[src] = values;
    this.filled[index]! += 1;
    if (this.filled[index] !== this.ctx.worldSize) return;
    const chunk = this.mine.chunks[index]!;
    const out = this.vector.subarray(chunk.offset, chunk.offset + chunk.count);
    sumInRankOrder(slot as Float32Array[], out);
    if (this.wire === 'bf16') roundToBf16(out);
    slot.fill(undefined);
    this.reduced += 1;
    if (this.ctx.worldSize > 1) {
      this.ctx.queueAll('ag', () =>
        encodeFloatFrame(
          this.header(Phase.ag, this.ctx.rank, index, this.mine.chunks.length, chunk.offset),
          out,
          this.wire,
        ),
      );
    }
  }
}
