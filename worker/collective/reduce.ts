// The fixed-order sum (collective.ts): acc = Q(x_0); acc += Q(x_1); ...; acc += Q(x_{n-1}) in float32, then
// Q(acc). Float32Array stores round every addition to float32, so this is IEEE binary32 addition in rank order.
import type { WireFormat } from './collective.js';
import { roundToBf16 } from './bf16.js';

/** Sums `parts` (one per rank, in rank order, equal lengths) into `out` in fixed order; `parts` are already Q'd. */
export function sumInRankOrder(parts: readonly Float32Array[], out: Float32Array): void {
  out.set(parts[0]!);
  for (let r = 1; r < parts.length; r++) {
    const part = parts[r]!;
    for (let i = 0; i < out.length; i++) out[i]! += part[i]!;
  }
}

/** acc = src (`first`) or acc += src: one step of the owner's running sum in rank order (allreduce-run.ts). */
export function addFloat32(acc: Float32Array, src: Float32Array, first: boolean): void {
  if (first) {
    acc.set(src);
    return;
  }
  const n = acc.length;
  for (let i = 0; i < n; i++) acc[i]! += src[i]!;
}

/** The last step of an fp32 chunk: acc += term, written to `acc` and `result` (`term` may be `result` itself). */
export function addFloat32Finish(acc: Float32Array, term: Float32Array, result: Float32Array): void {
  const n = acc.length;
  for (let i = 0; i < n; i++) result[i] = acc[i]! += term[i]!;
}

/** A whole fp32 chunk of two ranks in one pass: sum = result = first + second (`result` may alias either). */
export function sumPairFloat32(
  first: Float32Array,
  second: Float32Array,
  sum: Float32Array,
  result: Float32Array,
): void {
  const n = sum.length;
  for (let i = 0; i < n; i++) result[i] = sum[i] = first[i]! + second[i]!;
}

/**
 * The reference all-reduce of whole vectors, on one process: what every transport must produce, bit for bit.
 * Used by tests and as the single-rank path.
 */
export function fixedOrderSum(inputs: readonly Float32Array[], wire: WireFormat): Float32Array {
  const parts = inputs.map((input) => {
    const part = Float32Array.from(input);
    if (wire === 'bf16') roundToBf16(part);
    return part;
  });
  const out = new Float32Array(inputs[0]?.length ?? 0);
  if (parts.length > 0) sumInRankOrder(parts, out);
  if (wire === 'bf16') roundToBf16(out);
  return out;
}
