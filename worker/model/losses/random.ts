// Randomness for FHM comes from a generator the caller passes in, so the box jitter, the class draw and the
// Gaussian noise are pure functions of it: tests use a fixed sequence, the runtime a seeded generator per rank.

/** Returns independent uniform numbers in [0, 1) on each call. */
export type UniformRng = () => number;

/**
 * A small seeded generator (mulberry32: a 32-bit Weyl sequence through an avalanche mix). Fast and good enough
 * for jitter and noise; not for anything that needs cryptographic quality.
 */
export function seededRng(seed: number): UniformRng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
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
