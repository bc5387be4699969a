// The one collectives interface the trainer uses, whatever carries the bytes (NATS, the local machine).
// Sum semantics (every implementation): out[i] = Q(x_0[i] + x_1[i] + ... + x_{n-1}[i]) with the additions done
// left to right in float32 and each x_r[i] first passed through Q, where Q is the identity for `fp32` and
// round-to-nearest-even to bfloat16 for `bf16` (bf16.ts gives the bound). The result depends on n but not on
// the transport, the chunking or message arrival order, so all ranks, and a local and a NATS run, get the
// same bits.

/** How vectors travel: fp32 (exact) or bf16 (half the bytes, fp32 accumulation, see bf16.ts). */
export type WireFormat = 'fp32' | 'bf16';

export interface CollectiveCallOptions {
  /** Cancels the call; the whole group is then aborted (the other ranks fail fast, not at their deadline). */
  signal?: AbortSignal;
  /** The trainer's step, only for error messages. */
  step?: number;
}

export interface AllReduceOptions extends CollectiveCallOptions {
  /** @default 'fp32' (exact); 'bf16' halves the traffic at a relative error of about 2^-7 */
  wire?: WireFormat;
}

export interface Collective {
  readonly rank: number;
  readonly worldSize: number;
  /** Resolves once every rank has called barrier (for the same operation number). */
  barrier(options?: CollectiveCallOptions): Promise<void>;
  /** `root` passes its bytes; every rank resolves with a copy of them (root with its own array). */
  broadcast(bytes: Uint8Array, root: number, options?: CollectiveCallOptions): Promise<Uint8Array>;
  /**
   * Sums `vector` over the ranks IN PLACE (every rank must pass the same length) and resolves with it. Do not
   * touch `vector` until the promise settles.
   */
  allReduceSum(vector: Float32Array, options?: AllReduceOptions): Promise<Float32Array>;
  /** Every rank passes a (small) byte string; resolves with all of them, indexed by rank. */
  allGather(bytes: Uint8Array, options?: CollectiveCallOptions): Promise<Uint8Array[]>;
  /** Fails the group on every rank at once (CollectiveAbortedError naming this rank and `reason`). */
  abort(reason: string): void;
  /** Leaves the group; pending calls fail. Idempotent. */
  close(): Promise<void>;
}
