// A direct port of the torch semantics the backbone must reproduce, in plain loops over NHWC float64 arrays:
// conv2d with symmetric zero padding (`padding=p` on every side), max_pool2d with -inf padding, eval-mode
// BN, and torchvision's Bottleneck with the stride on conv2. Slow and obviously right; for tiny inputs only.

export interface Map4 {
  shape: [number, number, number, number]; // [B, H, W, C]
  data: Float64Array;
}

const at = (m: Map4, b: number, y: number, x: number, c: number): number =>
  m.data[((b * m.shape[1] + y) * m.shape[2] + x) * m.shape[3] + c] ?? NaN;

/** weight HWIO [kh, kw, in, out] as a flat array. */
export function conv(
  x: Map4,
  weight: ArrayLike<number>,
  [kh, kw, cin, cout]: number[],
  stride: number,
  pad: number,
): Map4 {
  const [batch, h, w] = x.shape;
  const outH = Math.floor((h + 2 * pad - kh!) / stride) + 1;
  const outW = Math.floor((w + 2 * pad - kw!) / stride) + 1;
  const out: Map4 = {
    shape: [batch, outH, outW, cout!],
    data: new Float64Array(batch * outH * outW * cout!),
  };
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let o = 0; o < cout!; o++) {
          let sum = 0;
          for (let ky = 0; ky < kh!; ky++)
            for (let kx = 0; kx < kw!; kx++) {
              const [y, xx] = [oy * stride - pad + ky, ox * stride - pad + kx];
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              for (let i = 0; i < cin!; i++)
                sum += at(x, b, y, xx, i) * (weight[((ky * kw! + kx) * cin! + i) * cout! + o] ?? NaN);
            }
          out.data[((b * outH + oy) * outW + ox) * cout! + o] = sum;
        }
  return out;
}

export function maxPool3x3s2p1(x: Map4): Map4 {
  const [batch, h, w, c] = x.shape;
  const [outH, outW] = [Math.floor((h - 1) / 2) + 1, Math.floor((w - 1) / 2) + 1];
  const out: Map4 = { shape: [batch, outH, outW, c], data: new Float64Array(batch * outH * outW * c) };
  for (let b = 0; b < batch; b++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          for (let y = 2 * oy - 1; y <= 2 * oy + 1; y++)
            for (let xx = 2 * ox - 1; xx <= 2 * ox + 1; xx++)
              if (y >= 0 && y < h && xx >= 0 && xx < w) best = Math.max(best, at(x, b, y, xx, ch));
          out.data[((b * outH + oy) * outW + ox) * c + ch] = best;
        }
  return out;
}

export interface BnValues {
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
}

export function batchNormEval(x: Map4, bn: BnValues, relu: boolean): Map4 {
  const c = x.shape[3];
  const data = x.data.map((v, k) => {
    const ch = k % c;
    const y = ((v - bn.mean[ch]!) / Math.sqrt(bn.variance[ch]! + 1e-5)) * bn.weight[ch]! + bn.bias[ch]!;
    return relu ? Math.max(0, y) : y;
  });
  return { shape: x.shape, data };
}

export const addRelu = (a: Map4, b: Map4): Map4 => ({
  shape: a.shape,
  data: a.data.map((v, k) => Math.max(0, v + b.data[k]!)),
});
