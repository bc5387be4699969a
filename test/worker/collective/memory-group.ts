// An in-process group of collective engines for unit tests of the engine's logic (no I/O): frames between
// each (sender, receiver) pair stay in order, as NATS and sockets keep them, while a seeded shuffle interleaves
// the pairs differently on every run, so arrival order across ranks is exercised.
import {
  CollectiveEngine,
  type EngineOptions,
  type AbortNotice,
  type CollectiveTransport,
  type Route,
} from '../../../worker/internal.js';

interface Pending {
  deliver: () => void;
}

export interface MemoryGroupOptions extends Partial<EngineOptions> {
  maxFrameBytes: number;
  seed?: number;
  /** Frames from this rank are silently dropped (a lossy link). */
  dropFrom?: number;
}

export class MemoryGroup {
  readonly engines: CollectiveEngine[];
  /** The most data frames ever in flight (sent, not yet delivered) per ordered pair. */
  maxInFlight = 0;
  /** Frames whose bytes changed between send and delivery (a pooled buffer reused too early): must stay 0. */
  corruptedFrames = 0;
  private readonly pairs = new Map<string, Pending[]>();
  private readonly inFlight = new Map<string, number>();
  private scheduled = false;
  private state: number;

  constructor(worldSize: number, options: MemoryGroupOptions) {
    this.state = options.seed ?? 1;
    this.engines = Array.from({ length: worldSize }, (_, rank) => {
      const transport: CollectiveTransport = {
        maxFrameBytes: options.maxFrameBytes,
        sendData: (_route: Route, _op: number, to: number, frame: Uint8Array, release) => {
          if (options.dropFrom === rank) return;
          // The frame's buffer is pooled: it must arrive as it was sent, and goes back after its last delivery.
          const sent = frame.slice();
          const targets = [...Array(worldSize).keys()].filter((r) => r !== rank && (to < 0 || r === to));
          let pending = targets.length;
          for (const r of targets) {
            const key = `${rank}>${r}`;
            const count = (this.inFlight.get(key) ?? 0) + 1;
            this.inFlight.set(key, count);
            this.maxInFlight = Math.max(this.maxInFlight, count);
            this.enqueue(key, () => {
              this.inFlight.set(key, this.inFlight.get(key)! - 1);
              if (!equalBytes(frame, sent)) this.corruptedFrames += 1;
              this.engines[r]!.receiveData(frame);
              if (--pending === 0) release(frame);
            });
          }
        },
        sendGrant: (to: number, cumulative: number) =>
          this.enqueue(`${rank}>${to}:grant`, () => this.engines[to]!.receiveGrant(rank, cumulative)),
        sendAbort: (notice: AbortNotice) => {
          for (let r = 0; r < worldSize; r++) {
            if (r !== rank) this.enqueue(`${rank}>${r}:ctl`, () => this.engines[r]!.receiveAbort(notice));
          }
        },
      };
      return new CollectiveEngine(transport, { ...options, rank, worldSize });
    });
  }

  private enqueue(key: string, deliver: () => void): void {
    const list = this.pairs.get(key) ?? [];
    list.push({ deliver });
    this.pairs.set(key, list);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /** Delivers one frame at a time from a randomly chosen non-empty pair until nothing is pending. */
  private drain(): void {
    this.scheduled = false;
    for (let budget = 0; budget < 64; budget++) {
      const keys = [...this.pairs.keys()].filter((key) => this.pairs.get(key)!.length > 0);
      if (keys.length === 0) return;
      this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
      const key = keys[this.state % keys.length]!;
      this.pairs.get(key)!.shift()!.deliver();
    }
    this.scheduled = true;
    setImmediate(() => this.drain());
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
