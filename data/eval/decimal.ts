// Correctly rounded decimal-to-double conversion for the numbers a detector writes, without a string: the
// results reader's fast paths (results-reader.ts). Each returns the double nearest to the decimal (ties to
// even), exactly as JSON.parse and Number() give it, or NaN where it cannot be sure; the caller then falls
// back to Number() on the text.
//
// 1. m * 10^e or m / 10^-e with m < 2^53 (at most 15 digits) and |e| <= 22: both operands are exact doubles,
//    so the one IEEE operation is correctly rounded (Clinger's fast path).
// 2. m of 16 to 19 digits, m = a * 10^n + b, divided by 10^k (k <= 22), the shortest round-trip form JSON
//    writers use for most doubles (0.12345678901234567). m is carried exactly as a double-double (Dekker's
//    product and Knuth's sum), a candidate c is refined from m / 10^k, and the residual r = m - c * 10^k is
//    computed to within about 2^-100 |m| (Dekker's product again; m - fl(c * 10^k) is exact by Sterbenz).
//    c is the correctly rounded quotient when |r| < ulp(c)/2 * 10^k: then m / 10^k is nearer to c than to
//    either neighbour. The test keeps a margin of 2^-30 of that bound, far above the residual's error, and a
//    c that is a power of two (whose lower neighbour is nearer) is not decided here. Whatever is not decided
//    (about one number in 10^9, near a midpoint) goes to Number().

/** 10^0 .. 10^22, all exact doubles. */
export const POWERS_OF_TEN: readonly number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

const splitter = 134217729; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const high = littleEndian ? 1 : 0;
const low = 1 - high;
/** Keep this much of the half-ulp bound unused (the residual is known to within about 2^-100 |m|). */
const margin = 1 - 2 ** -30;

/** a * b - fl(a * b), exactly (Dekker's product; no overflow for the magnitudes here). */
function productError(a: number, b: number, product: number): number {
  let t = splitter * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = splitter * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;
}

/** Half the spacing of doubles at positive normal c, or NaN for a power of two, a subnormal or Infinity. */
function halfUlp(c: number): number {
  bits[0] = c;
  const exponent = (words[high]! >>> 20) & 0x7ff;
  if (exponent <= 54 || exponent === 0x7ff) return Number.NaN;
  if ((words[high]! & 0xfffff) === 0 && words[low] === 0) return Number.NaN;
  words[high] = (exponent - 53) << 20; // 2^(exponent - 1023 - 53)
  words[low] = 0;
  return bits[0];
}

/** Fast path 1: m (< 2^53) times 10^exponent, |exponent| <= 22; NaN outside that range. */
export function scaleExact(m: number, exponent: number): number {
  if (exponent >= 0) return exponent <= 22 ? m * POWERS_OF_TEN[exponent]! : Number.NaN;
  return exponent >= -22 ? m / POWERS_OF_TEN[-exponent]! : Number.NaN;
}

/**
 * Fast path 2: (a * 10^n + b) / 10^k for a < 10^15, b < 10^n, n <= 4, 1 <= k <= 22, correctly rounded, or NaN
 * when undecided (see the file comment).
 */
export function divideWide(a: number, n: number, b: number, k: number): number {
  if (k < 1 || k > 22) return Number.NaN;
  const scale = POWERS_OF_TEN[n]!;
  const divisor = POWERS_OF_TEN[k]!;
  // m = high + lowPart (+ ~2^-105 |m|).
  const product = a * scale;
  const productLow = productError(a, scale, product);
  const sum = product + b;
  const bVirtual = sum - product;
  const sumLow = product - (sum - bVirtual) + (b - bVirtual);
  const mHigh = sum;
  const mLow = sumLow + productLow;
  // A candidate, refined once by the residual of the first quotient.
  const q = mHigh / divisor;
  let back = q * divisor;
  const c = q + (mHigh - back - productError(q, divisor, back) + mLow) / divisor;
  back = c * divisor;
  const residual = mHigh - back - productError(c, divisor, back) + mLow;
  const half = halfUlp(c);
  if (!(Math.abs(residual) < half * divisor * margin)) return Number.NaN;
  return c;
}
