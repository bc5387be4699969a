/** Time as the controller sees it; tests inject a manual clock so backoff and deadlines run instantly. */
export interface Clock {
  now(): number;
  /** Runs `callback` after `ms`; returns a function that cancels it. */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** A clock that moves only when told to; `advance` fires due callbacks in time order. */
export class ManualClock implements Clock {
  private current: number;
  private pending: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, callback: () => void): () => void {
    const id = this.nextId++;
    this.pending.push({ at: this.current + Math.max(0, ms), callback, id });
    return () => {
      this.pending = this.pending.filter((entry) => entry.id !== id);
    };
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.pending
        .filter((entry) => entry.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.pending = this.pending.filter((entry) => entry.id !== due.id);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }

  get timers(): number {
    return this.pending.length;
  }
}
