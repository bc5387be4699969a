// Deterministic test vectors for the collectives: random signs and magnitudes over ~12 decades, so float32
// rounding and summation order matter (a wrong order or a lost chunk changes the bits).

/** `n` vectors of `length` floats from `seed` (mulberry32); vector r is what rank r contributes. */
export function seededVectors(n: number, length: number, seed: number): Float32Array[] {
  return Array.from({ length: n }, (_, rank) => seededVector(rank, length, seed));
}

/** What rank `rank` contributes (seededVectors without the other ranks' vectors). */
export function seededVector(rank: number, length: number, seed: number): Float32Array {
  let state = (seed * 0x9e3779b1 + rank * 0x85ebca6b) >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (next() - 0.5) * 10 ** (Math.floor(next() * 12) - 6);
  return out;
}
