// numpy's float64 summation, reproduced exactly: np.mean over the flattened valid entries is
// pairwise_sum(all) / n, and a plain left-to-right loop differs in the last bit (a perfect detector would
// score 0.9999999999999999 instead of lvis-api's 0.9999999999999998). Spec lvis-eval.md §2.7.

const BLOCK = 128;

/** numpy's pairwise_sum over values[start, start + n): 8 interleaved accumulators per block of <= 128. */
export function numpyPairwiseSum(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= BLOCK) {
    let r0 = values[start]!;
    let r1 = values[start + 1]!;
    let r2 = values[start + 2]!;
    let r3 = values[start + 3]!;
    let r4 = values[start + 4]!;
    let r5 = values[start + 5]!;
    let r6 = values[start + 6]!;
    let r7 = values[start + 7]!;
    const whole = n - (n % 8);
    let i = 8;
    for (; i < whole; i += 8) {
      const at = start + i;
      r0 += values[at]!;
      r1 += values[at + 1]!;
      r2 += values[at + 2]!;
      r3 += values[at + 3]!;
      r4 += values[at + 4]!;
      r5 += values[at + 5]!;
      r6 += values[at + 6]!;
      r7 += values[at + 7]!;
    }
    let sum = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpyPairwiseSum(values, start, half) + numpyPairwiseSum(values, start + half, n - half);
}

/** np.mean of a contiguous float64 array: 0.0 plus the pairwise sum, divided by the count; NaN when empty. */
export function numpyMean(values: ArrayLike<number>): number {
  return (0 + numpyPairwiseSum(values)) / values.length;
}
