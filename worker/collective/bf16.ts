// bfloat16 on the wire: the top 16 bits of a float32, rounded to nearest, ties to even (RNE):
//   b = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16,   u = the float32's bits;   unpack: u = b << 16.
// NaN stays a quiet NaN (the formula alone could round a NaN's payload up into infinity).
// Bound for a normal float32 x whose rounding does not overflow: |bf16(x) - x| <= 2^-8 |x| (half an ulp of an
// 8-bit significand). For the all-reduce (collective.ts), r = Q(fl32(Q(x_0) + ... + Q(x_{n-1}))) satisfies
//   |r - sum_r x_r| <= (2^-7 + 2^-15 + n * 2^-23) * sum_r |x_r|       (bf16AllReduceBound)
// from 2^-8 for the inputs' rounding, (n-1) * 2^-24 for float32 accumulation and 2^-8 for the result's.

/** Packs `src` into `dst` (same length) as bfloat16 with round-to-nearest-even. */
export function packBf16(src: Float32Array, dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i]!;
    dst[i] = (u & 0x7fffffff) > 0x7f800000 ? (u >>> 16) | 0x40 : (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
  }
}

/** Unpacks bfloat16 `src` into float32 `dst` (same length); exact. */
export function unpackBf16(src: Uint16Array, dst: Float32Array): void {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
}

/** Rounds every element of `values` to the nearest bfloat16 (ties to even), in place. */
export function roundToBf16(values: Float32Array): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i]!;
    bits[i] =
      ((u & 0x7fffffff) > 0x7f800000 ? (u >>> 16) | 0x40 : (u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16;
  }
}

/** The documented bound on |bf16 all-reduce - exact sum| for one element, given sum_r |x_r| and n. */
export function bf16AllReduceBound(sumOfMagnitudes: number, worldSize: number): number {
  return (2 ** -7 + 2 ** -15 + worldSize * 2 ** -23) * sumOfMagnitudes;
}
