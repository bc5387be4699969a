// bfloat16 on the wire: the top 16 bits of a float32, rounded to nearest, ties to even (RNE):
//   b = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16,   u = the float32's bits;   unpack: u = b << 16.
// NaN stays a quiet NaN (the formula alone could round a NaN's payload up into infinity).
// Bound for a normal float32 x whose rounding does not overflow: |bf16(x) - x| <= 2^-8 |x| (half an ulp of an
// 8-bit significand). For the all-reduce (collective.ts), r = Q(fl32(Q(x_0) + ... + Q(x_{n-1}))) satisfies
//   |r - sum_r x_r| <= (2^-7 + 2^-15 + n * 2^-23) * sum_r |x_r|       (bf16AllReduceBound)
// from 2^-8 for the inputs' rounding, (n-1) * 2^-24 for float32 accumulation and 2^-8 for the result's.

// The loops read and write float32 bits through Int32Array views: with signed 32-bit values V8 keeps every
// step in int32 registers (a Uint32Array's values above 2^31 are doubles), about twice as fast. For a
// non-NaN u (as int32) the sum below stays inside int32, and `>> 16` has the same low 16 bits as `>>> 16`, which
// is all a Uint16Array store or a `<< 16` keeps.

/** The bfloat16 bits (RNE; the low 16 bits of the result) of the float32 with int32 bits `u`; NaN stays NaN. */
function rne(u: number): number {
  return (u & 0x7fffffff) > 0x7f800000 ? (u >> 16) | 0x40 : (u + 0x7fff + ((u >> 16) & 1)) >> 16;
}

function bitsOf(values: Float32Array, length = values.length): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, length);
}

/** Packs `src` into `dst` (same length) as bfloat16 with round-to-nearest-even. */
export function packBf16(src: Float32Array, dst: Uint16Array): void {
  const bits = bitsOf(src);
  const n = bits.length;
  for (let i = 0; i < n; i++) dst[i] = rne(bits[i]!);
}

/** Unpacks bfloat16 `src` into float32 `dst` (same length); exact. */
export function unpackBf16(src: Uint16Array, dst: Float32Array): void {
  const bits = bitsOf(dst);
  const n = bits.length;
  for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
}

/** Rounds every element of `values` to the nearest bfloat16 (ties to even), in place. */
export function roundToBf16(values: Float32Array): void {
  const bits = bitsOf(values);
  const n = bits.length;
  for (let i = 0; i < n; i++) bits[i] = rne(bits[i]!) << 16;
}

// Fused kernels of the owner's running sum (allreduce-run.ts), one pass each, no allocation. `scratch` (at least
// as long as the chunk) is where a bfloat16 is widened to a float32 (JS has no bit cast but aliased arrays).
// `first`: acc = term (the sum starts), else acc += term (a float32 store, so IEEE binary32 addition).

/** acc (+)= the bfloat16 values `src` (a contribution as it came off the wire). */
export function addBf16(acc: Float32Array, src: Uint16Array, first: boolean, scratch: Float32Array): void {
  const n = src.length;
  if (first) {
    unpackBf16(src, acc.subarray(0, n));
    return;
  }
  const wide = bitsOf(scratch, n);
  for (let i = 0; i < n; i++) {
    wide[i] = src[i]! << 16;
    acc[i]! += scratch[i]!;
  }
}

/** acc (+)= bf16(src) for float32 `src` (this rank's own contribution, rounded on the fly, `src` untouched). */
export function addRoundedBf16(
  acc: Float32Array,
  src: Float32Array,
  first: boolean,
  scratch: Float32Array,
): void {
  const n = src.length;
  const bits = bitsOf(src);
  if (first) {
    const out = bitsOf(acc, n);
    for (let i = 0; i < n; i++) out[i] = rne(bits[i]!) << 16;
    return;
  }
  const wide = bitsOf(scratch, n);
  for (let i = 0; i < n; i++) {
    wide[i] = rne(bits[i]!) << 16;
    acc[i]! += scratch[i]!;
  }
}

/**
 * The last step of a bf16 chunk: r = bf16(acc + term), with `term` the last contribution (bfloat16 bits off the
 * wire, or float32 to be rounded when `round`), written to `result` (float32) and, packed, to `wire`. `acc` is
 * used as scratch. With no term (`undefined`), r = bf16(acc).
 */
export function finishBf16(
  acc: Float32Array,
  term: Uint16Array | Float32Array | undefined,
  result: Float32Array,
  wire: Uint16Array,
): void {
  const n = result.length;
  const sum = bitsOf(acc, n);
  const out = bitsOf(result);
  if (term instanceof Uint16Array) {
    // acc[i] + widen(term[i]): the widened term goes through `out` (overwritten right after)
    for (let i = 0; i < n; i++) {
      out[i] = term[i]! << 16;
      acc[i]! += result[i]!;
      const b = rne(sum[i]!);
      wire[i] = b;
      out[i] = b << 16;
    }
  } else if (term) {
    const bits = bitsOf(term);
    for (let i = 0; i < n; i++) {
      out[i] = rne(bits[i]!) << 16;
      acc[i]! += result[i]!;
      const b = rne(sum[i]!);
      wire[i] = b;
      out[i] = b << 16;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const b = rne(sum[i]!);
      wire[i] = b;
      out[i] = b << 16;
    }
  }
}

/**
 * A whole bf16 chunk of two ranks in one pass: r = bf16(bf16(own) + received) (`ownFirst`: own is rank 0's,
 * else received is), added in rank order, written to `result` (float32; may be `own` itself) and to `wire`.
 */
export function finishPairBf16(
  own: Float32Array,
  received: Uint16Array,
  ownFirst: boolean,
  result: Float32Array,
  wire: Uint16Array,
  scratch: Float32Array,
): void {
  const n = result.length;
  const ownBits = bitsOf(own);
  const out = bitsOf(result);
  const wide = bitsOf(scratch, n);
  for (let i = 0; i < n; i++) {
    out[i] = rne(ownBits[i]!) << 16;
    wide[i] = received[i]! << 16;
    result[i] = ownFirst ? result[i]! + scratch[i]! : scratch[i]! + result[i]!;
    const b = rne(out[i]!);
    wire[i] = b;
    out[i] = b << 16;
  }
}

/** The documented bound on |bf16 all-reduce - exact sum| for one element, given sum_r |x_r| and n. */
export function bf16AllReduceBound(sumOfMagnitudes: number, worldSize: number): number {
  return (2 ** -7 + 2 ** -15 + worldSize * 2 ** -23) * sumOfMagnitudes;
}
