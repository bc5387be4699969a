// Liveness (pure, clock passed in): a peer is lost when no heartbeat came from it for `timeoutMs`. When this
// process itself was frozen (the check ran more than 2 intervals late: SIGSTOP, a long GC, a loaded machine),
// it cannot judge others, so it gives everyone a fresh interval instead of declaring them lost.

export class HeartbeatMonitor {
  private readonly lastSeen: number[];
  private lastCheck: number;
  private readonly gone = new Set<number>();

  constructor(
    private readonly self: number,
    worldSize: number,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    now: number,
  ) {
    this.lastSeen = new Array<number>(worldSize).fill(now);
    this.lastCheck = now;
  }

  beat(rank: number, now: number): void {
    if (rank >= 0 && rank < this.lastSeen.length) this.lastSeen[rank] = Math.max(this.lastSeen[rank]!, now);
  }

  /** Stops watching `rank` (it left the group cleanly). */
  forget(rank: number): void {
    this.gone.add(rank);
  }

  /** The first rank silent for longer than the timeout, with how long; undefined when all are alive. */
  check(now: number): { rank: number; silentMs: number } | undefined {
    const late = now - this.lastCheck > 2 * this.intervalMs;
    this.lastCheck = now;
    for (let r = 0; r < this.lastSeen.length; r++) {
      if (r === this.self || this.gone.has(r)) continue;
      if (late) this.lastSeen[r] = Math.max(this.lastSeen[r]!, now - this.intervalMs);
      const silentMs = now - this.lastSeen[r]!;
      if (silentMs > this.timeoutMs) return { rank: r, silentMs };
    }
    return undefined;
  }
}
