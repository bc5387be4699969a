// Reusable frame buffers, so the hot path allocates nothing per chunk once warm (a fresh 512 KiB frame per
// send cost about a quarter of a rank's CPU in garbage collection, ADR 0020). Every buffer has the same
// capacity: the largest frame (32-byte header + one chunk). A buffer is taken, filled, handed to the transport,
// and given back only when the transport says it holds no reference any more (NATS: once the client has copied
// its outbound queue; sockets: once the write completed). Scratch arrays for received contributions and
// running sums come from the same pool. A buffer that is never given back is simply garbage collected, so
// "not sure it is free" is always answered by not releasing it.

/** Buffers kept for reuse at most, per pool. @default 64 (32 MiB of 512 KiB chunks; the engine raises it to its credit windows) */
export const DEFAULT_POOL_BUFFERS = 64;

export class FramePool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers this pool had to allocate (for tests and benchmarks: flat once the pool is warm). */
  allocated = 0;

  /**
   * @param capacityBytes every buffer's size: the largest frame the engine builds (header + chunk payload)
   * @param maxFree how many released buffers are kept
   */
  constructor(
    readonly capacityBytes: number,
    private readonly maxFree = DEFAULT_POOL_BUFFERS,
  ) {}

  /** A buffer of the pool's capacity (a frame, or scratch for `capacityBytes / 4` floats). */
  take(): ArrayBuffer {
    const buffer = this.free.pop();
    if (buffer) return buffer;
    this.allocated += 1;
    return new ArrayBuffer(this.capacityBytes);
  }

  /** A frame of `length` bytes at the start of a pooled buffer (an unpooled one when it does not fit). */
  frame(length: number): Uint8Array {
    return length <= this.capacityBytes ? new Uint8Array(this.take(), 0, length) : new Uint8Array(length);
  }

  /** Gives back the buffer under `view`; only buffers of this pool are kept, and only up to `maxFree`. */
  release(view: ArrayBufferView): void {
    const buffer = view.buffer;
    if (
      buffer instanceof ArrayBuffer &&
      buffer.byteLength === this.capacityBytes &&
      this.free.length < this.maxFree &&
      !this.free.includes(buffer) // a second release of one buffer would hand it out twice
    ) {
      this.free.push(buffer);
    }
  }
}
