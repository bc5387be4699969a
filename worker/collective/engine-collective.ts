// What every engine-driven collective (NATS, local) shares: the operations and abort go straight to the one
// CollectiveEngine, so every transport sums in the same order and gives the same bits; a subclass only carries
// the bytes (its CollectiveTransport), forms the group and watches its peers.
import type { AllReduceOptions, Collective, CollectiveCallOptions } from './collective.js';
import type { CollectiveEngine } from './engine.js';

export abstract class EngineCollective implements Collective {
  abstract readonly rank: number;
  abstract readonly worldSize: number;
  protected abstract readonly engine: CollectiveEngine;

  /** Frame counters (tests, benchmarks). */
  get stats(): CollectiveEngine['stats'] {
    return this.engine.stats;
  }

  /** Frame and scratch buffers allocated so far (flat once the engine's pools are warm). */
  get buffersAllocated(): number {
    return this.engine.buffersAllocated;
  }

  barrier(options?: CollectiveCallOptions): Promise<void> {
    return this.engine.barrier(options);
  }

  broadcast(bytes: Uint8Array, root: number, options?: CollectiveCallOptions): Promise<Uint8Array> {
    return this.engine.broadcast(bytes, root, options);
  }

  allReduceSum(vector: Float32Array, options?: AllReduceOptions): Promise<Float32Array> {
    return this.engine.allReduceSum(vector, options);
  }

  allGather(bytes: Uint8Array, options?: CollectiveCallOptions): Promise<Uint8Array[]> {
    return this.engine.allGather(bytes, options);
  }

  /** Fails the group on every rank (CollectiveAbortedError naming this rank). */
  abort(reason: string): void {
    this.engine.abort(reason);
  }

  abstract close(): Promise<void>;
}
