// The group of one: a single-rank run (`baclctl run --workers 1`, a one-GPU job) trains through the same code
// path as a group, with every collective the identity. Sums of one vector are that vector (collective.ts:
// Q is the identity in fp32; bf16 rounds, as a group's wire would).
import { roundToBf16 } from '../collective/bf16.js';
import type { AllReduceOptions, Collective, CollectiveCallOptions } from '../collective/collective.js';

export class SoloCollective implements Collective {
  readonly rank = 0;
  readonly worldSize = 1;
  private closed = false;

  barrier(options: CollectiveCallOptions = {}): Promise<void> {
    this.check(options);
    return Promise.resolve();
  }

  broadcast(bytes: Uint8Array, root: number, options: CollectiveCallOptions = {}): Promise<Uint8Array> {
    this.check(options);
    if (root !== 0)
      return Promise.reject(new RangeError(`broadcast root ${root} is not a rank of a group of 1`));
    return Promise.resolve(bytes);
  }

  allReduceSum(vector: Float32Array, options: AllReduceOptions = {}): Promise<Float32Array> {
    this.check(options);
    if (options.wire === 'bf16') roundToBf16(vector);
    return Promise.resolve(vector);
  }

  allGather(bytes: Uint8Array, options: CollectiveCallOptions = {}): Promise<Uint8Array[]> {
    this.check(options);
    return Promise.resolve([bytes]);
  }

  abort(): void {
    this.closed = true;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private check(options: CollectiveCallOptions): void {
    options.signal?.throwIfAborted();
    if (this.closed) throw new Error('the group of one is closed');
  }
}
