// Rendezvous bookkeeping (pure): every rank announces {rank, worldSize, configDigest, maxFrameBytes, instance,
// ready} until it has seen all n ranks ready. `ready` means "I have seen all n ranks"; a rank publishes it after
// seeing everyone (so everyone is subscribed by then) and keeps announcing until all n say ready, which makes
// this a barrier: when any rank leaves, every rank has subscribed to every data subject.
import { CollectiveMismatchError, type CollectiveSite } from './errors.js';

export interface Join {
  rank: number;
  worldSize: number;
  configDigest: string;
  maxFrameBytes: number;
  /** A random id per process, so two processes claiming one rank are caught. */
  instance: string;
  ready: boolean;
}

export class RendezvousBook {
  private readonly seen = new Map<number, Join>();

  constructor(private readonly self: Join) {
    this.seen.set(self.rank, self);
  }

  /** Records a join; throws CollectiveMismatchError when it disagrees with this rank. */
  add(join: Join): void {
    const site: CollectiveSite = { rank: this.self.rank, op: -1, collective: 'rendezvous' };
    const check = (field: keyof Join, ours: unknown, theirs: unknown) => {
      if (ours !== theirs) {
        throw new CollectiveMismatchError(
          site,
          join.rank,
          field,
          `it has ${String(theirs)}, this rank has ${String(ours)}`,
        );
      }
    };
    check('worldSize', this.self.worldSize, join.worldSize);
    check('configDigest', this.self.configDigest, join.configDigest);
    check('maxFrameBytes', this.self.maxFrameBytes, join.maxFrameBytes);
    if (!Number.isInteger(join.rank) || join.rank < 0 || join.rank >= this.self.worldSize) {
      throw new CollectiveMismatchError(site, join.rank, 'rank', `not in [0, ${this.self.worldSize - 1}]`);
    }
    const known = this.seen.get(join.rank);
    if (known && known.instance !== join.instance) {
      throw new CollectiveMismatchError(
        site,
        join.rank,
        'rank',
        'two processes claim this rank (check RANK in the launcher)',
      );
    }
    if (!known || join.ready) this.seen.set(join.rank, join);
    if (this.seen.size === this.self.worldSize) this.self.ready = true;
  }

  /** This rank's announcement as it stands. */
  get announcement(): Join {
    return { ...this.self };
  }

  /** Whether every rank has said it has seen everyone (and so is subscribed). */
  get complete(): boolean {
    if (this.seen.size < this.self.worldSize) return false;
    for (const join of this.seen.values()) if (!join.ready) return false;
    return true;
  }

  /** Ranks not heard from yet, for the rendezvous timeout message. */
  missing(): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.self.worldSize; r++) if (!this.seen.has(r)) out.push(r);
    return out;
  }
}
