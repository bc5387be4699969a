// What the collective engine needs from a transport (NATS, the local machine): deliver frames, grants and abort
// notices between ranks, in order per (sender, receiver) pair, and say how large a frame may be.

/** Data phases as the transport routes them: `rs` to one rank, `ag` and `bc` to every other rank. */
export type Route = 'rs' | 'ag' | 'bc';

/**
 * Why a rank aborted the group, as sent to the others (so a lost peer is reported as such everywhere), or
 * `left`: the rank closed the group cleanly after `ops` operations and will send nothing more.
 */
export interface AbortNotice {
  from: number;
  kind: 'peer-lost' | 'abort' | 'left';
  /** The lost rank, for `peer-lost`. */
  peer?: number;
  /** For `left`: how many operations the rank completed. */
  ops?: number;
  reason: string;
}

export interface CollectiveTransport {
  /** The largest frame (32-byte header + payload) one message may carry, e.g. the NATS server's max_payload. */
  readonly maxFrameBytes: number;
  /**
   * Sends one data frame of operation `op`: to rank `to` for `rs`, to every other rank for `ag` and `bc`. The
   * frame's buffer is pooled (frame-pool.ts): call `release(frame)` once no reference to it is kept any more
   * (it is then refilled for another frame); never calling it is safe, calling it early corrupts frames.
   */
  sendData(
    route: Route,
    op: number,
    to: number,
    frame: Uint8Array,
    release: (frame: Uint8Array) => void,
  ): void;
  /** Tells rank `to` it may have sent `cumulative` data frames to this rank in all. */
  sendGrant(to: number, cumulative: number): void;
  /** Tells every other rank that the group is aborted. */
  sendAbort(notice: AbortNotice): void;
}
