// Half-precision formats to float32, exactly (every F16 and BF16 value is representable in float32).

/** IEEE 754 binary16 bit patterns → float32: normals, subnormals, ±0, ±Inf and NaN. */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i] ?? 0;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0)
      out[i] = sign * mantissa * 2 ** -24; // subnormal (and zero): m · 2^-14 / 1024
    else if (exponent === 0x1f) out[i] = mantissa === 0 ? sign * Infinity : NaN;
    else out[i] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

/** bfloat16 is the top half of a float32: shifting the bits up is exact, NaN payloads included. */
export function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  const bits = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) bits[i] = (halves[i] ?? 0) << 16;
  return new Float32Array(bits.buffer);
}
