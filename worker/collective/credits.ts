// Credit windows: flow control so no receiver ever builds a server-side backlog (nats-server 2.9 stalls
// producers 100 ms-1 s once a consumer's pending output passes max_pending/2, and disconnects it, losing
// messages silently, past max_pending). Every data frame from sender s to receiver r is counted on both sides;
// r grants s a cumulative limit (frames processed + W), so at most W frames from s to r are ever unprocessed,
// and at most (n-1) W frames (each <= one chunk) are queued for r. Grants are cumulative, so a later grant
// replaces an earlier one and reordering or duplicates are harmless.
import { CollectiveOptionError } from './errors.js';

/** @default 16 MiB: a quarter of nats-server's default max_pending (64 MiB), far below its max_pending/2 stall. */
export const DEFAULT_RECEIVER_WINDOW_BYTES = 16 * 1024 * 1024;

/** Frames per (sender, receiver) pair: the receiver's byte window split over its n-1 senders, at least 2. */
export function windowFrames(receiverWindowBytes: number, worldSize: number, frameBytes: number): number {
  if (!(receiverWindowBytes > 0)) {
    throw new CollectiveOptionError(
      'receiverWindowBytes',
      receiverWindowBytes,
      'must be a positive number of bytes',
    );
  }
  return Math.max(2, Math.floor(receiverWindowBytes / (Math.max(1, worldSize - 1) * frameBytes)));
}

/** The sender's side: how many frames it may still send to each receiver. */
export class CreditLedger {
  private readonly granted: number[];
  private readonly sent: number[];

  constructor(
    readonly worldSize: number,
    readonly self: number,
    window: number,
  ) {
    this.granted = new Array<number>(worldSize).fill(window);
    this.sent = new Array<number>(worldSize).fill(0);
  }

  canSend(receiver: number): boolean {
    return this.sent[receiver]! < this.granted[receiver]!;
  }

  /** Whether a frame to every other rank (a fan-out publish) may go now. */
  canSendAll(): boolean {
    for (let r = 0; r < this.worldSize; r++) if (r !== this.self && !this.canSend(r)) return false;
    return true;
  }

  spend(receiver: number): void {
    this.sent[receiver]! += 1;
  }

  spendAll(): void {
    for (let r = 0; r < this.worldSize; r++) if (r !== this.self) this.sent[r]! += 1;
  }

  /** Records `receiver`'s cumulative grant; returns whether it raised the limit (older grants are ignored). */
  grant(receiver: number, cumulative: number): boolean {
    if (cumulative <= this.granted[receiver]!) return false;
    this.granted[receiver] = cumulative;
    return true;
  }

  /** `sent/granted` toward `receiver`, for timeout diagnostics. */
  describe(receiver: number): string {
    return `${this.sent[receiver]}/${this.granted[receiver]}`;
  }
}

/** The receiver's side: counts processed frames per sender and says when to publish a new grant. */
export class GrantTracker {
  private readonly processedFrom: number[];
  private readonly grantedAt: number[];
  private readonly every: number;

  /** `every` frames processed from one sender trigger a grant. @default half the window (rounded up). */
  constructor(
    worldSize: number,
    readonly window: number,
    every = Math.ceil(window / 2),
  ) {
    this.processedFrom = new Array<number>(worldSize).fill(0);
    this.grantedAt = new Array<number>(worldSize).fill(0);
    this.every = every;
  }

  /** Records one processed frame from `sender`; returns the cumulative grant to send it now, or undefined. */
  processed(sender: number): number | undefined {
    const count = (this.processedFrom[sender]! += 1);
    if (count - this.grantedAt[sender]! < this.every) return undefined;
    this.grantedAt[sender] = count;
    return count + this.window;
  }
}
