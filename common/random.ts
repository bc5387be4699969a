// Seeded randomness for the whole project: the same seed gives the same bits on every machine. One interface,
// UniformRng (a function returning uniforms in [0, 1)), and two generators behind it:
//
// - mulberry32 (`seededRng`): the model's generator. Weight initialisation, the samplers and FHM's jitter and
//   noise draw from it, and the model tests' seeded figures and the checkpoints' RNG state follow its bits.
// - splitmix32 (`SeededRandom`, with `derive` for named sub-streams): the data's generator. The synthetic
//   datasets, the shard order and the sample shuffle follow its bits, and a dataset written once must be
//   written again bit for bit from its seed.
//
// Both are 32-bit, fast and statistically fine for these uses (not for anything cryptographic). Replacing
// either with the other would change every synthetic dataset or every seeded model figure, so both stay,
// each named for what it is.

/** Returns independent uniform numbers in [0, 1) on each call. */
export type UniformRng = () => number;

/**
 * mulberry32 with its state in view: a training rank checkpoints `state` and a resumed rank sets it back, so
 * the samplers and FHM draw the same numbers after a resume as they would have without one.
 */
export class Mulberry32 {
  private current: number;

  constructor(seed: number) {
    this.current = seed >>> 0;
  }

  /** The 32-bit state: the next draw follows from it alone. */
  get state(): number {
    return this.current;
  }

  set state(value: number) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`mulberry32 state must be a 32-bit unsigned integer, got ${value}`);
    }
    this.current = value;
  }

  /** Uniform in [0, 1). */
  readonly next: UniformRng = () => {
    this.current = (this.current + 0x6d2b79f5) >>> 0;
    const state = this.current;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** mulberry32: a 32-bit Weyl sequence through an avalanche mix. The model's generator. */
export function seededRng(seed: number): UniformRng {
  return new Mulberry32(seed).next;
}

/** splitmix32: a golden-ratio Weyl sequence through murmur3's finaliser. The data's generator. */
export function splitmix32(seed: number): UniformRng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 0x1_0000_0000;
  };
}

/**
 * `count` standard normal draws by the Box-Muller transform, two per pair of uniforms (1 − u keeps the
 * logarithm's argument in (0, 1]).
 */
export function standardNormals(rng: UniformRng, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng()));
    const angle = 2 * Math.PI * rng();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** FNV-1a over the parts' text, then a final avalanche, as an unsigned 32-bit integer. */
export function hash32(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  for (const char of parts.join('\u0000')) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/**
 * Draws on splitmix32 with the helpers the data side needs. Each image (or shard epoch, or rank) draws from
 * its own stream, `derive(seed, ...labels)`, so asking for more of one never shifts another.
 */
export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: UniformRng;

  constructor(seed: number) {
    this.next = splitmix32(seed);
  }

  /** A new generator for a named sub-stream; draws from it never shift this one. */
  static derive(seed: number, ...labels: ReadonlyArray<string | number>): SeededRandom {
    return new SeededRandom(hash32(seed, ...labels));
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform real in [min, max). */
  real(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  /** Fisher-Yates in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** `count` distinct items drawn uniformly (partial Fisher-Yates on a copy). */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = this.int(i, copy.length - 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }
}
