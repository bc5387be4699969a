// One collective call in progress on one rank, transport-agnostic: what it sends first, what it does with
// each frame of its operation, and when it has everything. The engine (engine.ts) owns queues and credits.
import type { CollectiveSite } from './errors.js';
import type { FrameHeader, Kind } from './frame.js';
import type { FramePool } from './frame-pool.js';

export interface RunContext {
  readonly rank: number;
  readonly worldSize: number;
  readonly op: number;
  readonly site: CollectiveSite;
  /** Largest payload per frame, in bytes. */
  readonly chunkBytes: number;
  /** Frame buffers and scratch of the chunk's size; a frame handed to queueTo/queueAll goes back by itself. */
  readonly pool: FramePool;
  /** Scratch of `chunkBytes / 2` float32s (a bf16 chunk, widened), given back with `floats.release`. */
  readonly floats: FramePool;
  /** Queues a frame for rank `to` (reduce-scatter); `build` runs when credits allow, so buffers are made late. */
  queueTo(to: number, build: () => Uint8Array): void;
  /** Queues a frame for every other rank (all-gather, broadcast). */
  queueAll(route: 'ag' | 'bc', build: () => Uint8Array): void;
}

export interface OpRun<T> {
  readonly kind: Kind;
  /** Queues this rank's first sends; may complete at once (one rank). */
  start(): void;
  /** Handles one frame of this operation; throws CollectiveMismatchError when it contradicts this rank's call. */
  onFrame(header: FrameHeader, frame: Uint8Array): void;
  /** Whether every expected frame has arrived and been used. */
  received(): boolean;
  result(): T;
  /** What is still missing, for CollectiveTimeoutError. */
  missing(): string;
}

/** `1, 3, 4` or `none`. */
export function rankList(ranks: readonly number[]): string {
  return ranks.length === 0 ? 'none' : ranks.join(', ');
}
