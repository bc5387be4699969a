// Initialisers for the box head's fully connected layers (spec 1.2, mmdet 2.8 `ConvFCBBoxHead.init_weights`
// and `BBoxHead.init_weights`), drawn from a caller-supplied UniformRng so a head built twice from one seed is
// bitwise the same. Weights are [in, out] (tfjs matMul layout); PyTorch's nn.Linear stores [out, in].
import * as tf from '@tensorflow/tfjs';
import { standardNormals, type UniformRng } from '../../../common/index.js';

/** torch `xavier_uniform_` with gain 1 for a Linear layer: U(−b, b), b = sqrt(6 / (in + out)). */
export function xavierUniformMatrix(rng: UniformRng, inputs: number, outputs: number): tf.Tensor2D {
  const bound = Math.sqrt(6 / (inputs + outputs));
  const values = new Float32Array(inputs * outputs);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng() - 1) * bound;
  return tf.tensor2d(values, [inputs, outputs]);
}

/** torch `normal_(0, std)`: N(0, std²) by Box-Muller from `rng`. */
export function normalMatrix(rng: UniformRng, inputs: number, outputs: number, std: number): tf.Tensor2D {
  const values = standardNormals(rng, inputs * outputs).map((v) => v * std);
  return tf.tensor2d(values, [inputs, outputs]);
}
