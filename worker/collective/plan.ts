// Shards and chunks of an all-reduce, from (N elements, n ranks, the largest frame the transport carries):
//   shard j = [floor(j N / n), floor((j+1) N / n)), owned and reduced by rank j;
//   chunk elements E = min(preferredChunkBytes, maxFrameBytes - 32) / bytes per element (bf16: 2, fp32: 4);
//   shard j is cut into ceil(|shard j| / E) chunks of E elements, the last one shorter (an empty shard has none).
// Every rank computes the same plan from the same inputs; the sum's bits do not depend on it (elementwise).
import { CollectiveOptionError } from './errors.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import type { WireFormat } from './collective.js';

/** @default 512 KiB: spec/allreduce.md measured 256 KiB to 1 MiB best; it fits NATS's default 1 MB max_payload. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024;

export interface ChunkPlan {
  /** Index within its shard. */
  index: number;
  offset: number;
  count: number;
}

export interface ShardPlan {
  owner: number;
  offset: number;
  count: number;
  chunks: ChunkPlan[];
}

export function wireBytes(wire: WireFormat): number {
  return wire === 'bf16' ? 2 : 4;
}

/** Payload bytes per frame: the preferred chunk, or less when the transport's largest frame is smaller. */
export function chunkPayloadBytes(maxFrameBytes: number, preferredChunkBytes = DEFAULT_CHUNK_BYTES): number {
  const payload = Math.min(preferredChunkBytes, maxFrameBytes - FRAME_HEADER_BYTES);
  if (!Number.isInteger(payload) || payload < 4) {
    throw new CollectiveOptionError(
      'maxFrameBytes',
      maxFrameBytes,
      `must leave room for a ${FRAME_HEADER_BYTES}-byte header and one float (preferred chunk ${preferredChunkBytes} bytes)`,
    );
  }
  return payload;
}

/** Elements per chunk on `wire` for a payload of `payloadBytes`. */
export function chunkElements(payloadBytes: number, wire: WireFormat): number {
  return Math.floor(payloadBytes / wireBytes(wire));
}

/** Cuts [offset, offset + count) into chunks of at most `perChunk` elements. */
export function cutChunks(offset: number, count: number, perChunk: number): ChunkPlan[] {
  const chunks: ChunkPlan[] = [];
  for (let start = 0, index = 0; start < count; start += perChunk, index++) {
    chunks.push({ index, offset: offset + start, count: Math.min(perChunk, count - start) });
  }
  return chunks;
}

/** The shards of an all-reduce of `length` elements over `worldSize` ranks, each cut into chunks. */
export function planAllReduce(length: number, worldSize: number, perChunk: number): ShardPlan[] {
  if (!Number.isInteger(length) || length < 0 || length >= 2 ** 32) {
    throw new CollectiveOptionError('vector.length', length, 'must be an integer in [0, 2^32)');
  }
  if (!Number.isInteger(worldSize) || worldSize < 1 || worldSize > 65535) {
    throw new CollectiveOptionError('worldSize', worldSize, 'must be an integer in [1, 65535]');
  }
  const shards: ShardPlan[] = [];
  for (let owner = 0; owner < worldSize; owner++) {
    const offset = Math.floor((owner * length) / worldSize);
    const count = Math.floor(((owner + 1) * length) / worldSize) - offset;
    shards.push({ owner, offset, count, chunks: cutChunks(offset, count, perChunk) });
  }
  return shards;
}
