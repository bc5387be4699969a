import { expect } from 'chai';
import { planRankShare, ShardError } from '../../../data/internal.js';

describe('data/shards: per-rank shares', function () {
  const shards = [7, 3, 12, 1, 9, 5].map((samples, i) => ({ name: `shard-${i}`, samples }));
  const total = shards.reduce((sum, shard) => sum + shard.samples, 0);
  const keys = (worldSize: number, rank: number, epoch = 0) =>
    planRankShare(shards, { rank, worldSize, seed: 3, epoch }).flatMap((slice) =>
      Array.from({ length: slice.to - slice.from }, (_, i) => `${slice.shard}#${slice.from + i}`),
    );

  it('gives ranks disjoint, covering, balanced shares for every world size', function () {
    for (let worldSize = 1; worldSize <= 8; worldSize++) {
      const shares = Array.from({ length: worldSize }, (_, rank) => keys(worldSize, rank));
      const all = shares.flat();
      expect(new Set(all).size, `world ${worldSize}: disjoint`).to.equal(all.length);
      expect(all.length, `world ${worldSize}: covering`).to.equal(total);
      const sizes = shares.map((share) => share.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
    }
  });

  it('is deterministic for (seed, epoch) and reshuffles the shards per epoch', function () {
    expect(keys(3, 1)).to.deep.equal(keys(3, 1));
    const orders = [0, 1, 2, 3].map((epoch) =>
      planRankShare(shards, { rank: 0, worldSize: 1, seed: 3, epoch })
        .map((s) => s.shard)
        .join(),
    );
    expect(new Set(orders).size).to.be.greaterThan(1);
  });

  it('refuses a rank outside the world', function () {
    expect(() => planRankShare(shards, { rank: 2, worldSize: 2 })).to.throw(
      ShardError,
      /rank 2 of world size 2/,
    );
  });
});
