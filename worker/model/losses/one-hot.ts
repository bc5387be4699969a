// One-hot rows as float32. tfjs 4.22's wasm OneHot kernel ignores a float32 dtype argument and writes the
// int32 bit patterns, so `tf.oneHot(labels, depth, 1, 0, 'float32')` reads back as all zeros there (seen
// here, on @tensorflow/tfjs-backend-wasm 4.22.0). The int32 one-hot and a cast are right on every backend.
import * as tf from '@tensorflow/tfjs';

/** [N, depth] float32 with a 1 at (i, labels[i]) and 0 elsewhere (all zeros where labels[i] >= depth). */
export function oneHotFloat(labels: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(labels, depth) as tf.Tensor2D, 'float32'));
}
