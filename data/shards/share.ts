// Which samples a rank reads: the shards in a (seed, epoch)-shuffled order, laid end to end, cut into
// worldSize contiguous runs whose lengths differ by at most one. Disjoint and covering by construction, the
// same on every rank without communication, and each rank opens about 1/worldSize of the shards (a shard
// cut between two ranks is read by both, each stopping or starting at its boundary).
import { ShardError } from './errors.js';
import { SeededRandom } from '../../common/index.js';

export interface RankShareOptions {
  rank: number;
  worldSize: number;
  /** Shuffles the shard order; ranks must agree on it. @default 0 */
  seed?: number;
  /** A new order per epoch. @default 0 */
  epoch?: number;
}

/** Samples [from, to) of one shard, by position in the shard. */
export interface ShardSlice {
  shard: string;
  from: number;
  to: number;
}

export function planRankShare(
  shards: ReadonlyArray<{ name: string; samples: number }>,
  options: RankShareOptions,
): ShardSlice[] {
  const { rank, worldSize } = options;
  if (
    !Number.isInteger(worldSize) ||
    worldSize < 1 ||
    !Number.isInteger(rank) ||
    rank < 0 ||
    rank >= worldSize
  ) {
    throw new ShardError(
      `rank ${rank} of world size ${worldSize} is not a valid rank`,
      'usage',
      'rank is an integer in [0, worldSize)',
    );
  }
  const order = SeededRandom.derive(options.seed ?? 0, 'shards', options.epoch ?? 0).shuffle([...shards]);
  const total = order.reduce((sum, shard) => sum + shard.samples, 0);
  const start = Math.floor((rank * total) / worldSize);
  const end = Math.floor(((rank + 1) * total) / worldSize);
  const slices: ShardSlice[] = [];
  let position = 0;
  for (const shard of order) {
    const from = Math.max(start, position);
    const to = Math.min(end, position + shard.samples);
    if (to > from) slices.push({ shard: shard.name, from: from - position, to: to - position });
    position += shard.samples;
  }
  return slices;
}
