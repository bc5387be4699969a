// StridedSlice gradient: put dy back where the slice read it, zeros elsewhere.
//
// Why: tfjs 4.22 registers no gradient for StridedSlice (tfjs-notes §2), so x.stridedSlice / tf.stridedSlice in
// differentiable code throws at backprop. The masks are resolved by tfjs' own slice_util.sliceInfo, which gives
// per-input-axis begin, end and stride. Unit strides become one tf.pad;
// other strides a scatterND over the explicit flat input indices.
// Measured against: central finite differences (test/worker/tf/gradients.test.ts).
import * as tf from '@tensorflow/tfjs';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

/** Row-major flat input offsets of every element the slice read, in output order. */
function readOffsets(xShape: number[], outShape: number[], begin: number[], strides: number[]): Int32Array {
  const count = outShape.reduce((a, b) => a * b, 1);
  const offsets = new Int32Array(count);
  const axisStride = xShape.map((_, axis) => xShape.slice(axis + 1).reduce((a, b) => a * b, 1));
  for (let flat = 0; flat < count; flat++) {
    let rest = flat;
    let offset = 0;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      const size = outShape[axis] ?? 1;
      const position = rest % size;
      rest = (rest - position) / size;
      offset += ((begin[axis] ?? 0) + position * (strides[axis] ?? 1)) * (axisStride[axis] ?? 1);
    }
    offsets[flat] = offset;
  }
  return offsets;
}

export const stridedSliceGradient: tf.GradConfig = {
  kernelName: tf.StridedSlice,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const a = attrs as unknown as StridedSliceAttrs;
    const info = tf.slice_util.sliceInfo(
      x.shape,
      a.begin,
      a.end,
      a.strides,
      a.beginMask,
      a.endMask,
      a.ellipsisMask,
      a.newAxisMask,
      a.shrinkAxisMask,
    );
    // One extent per input axis (shrunk axes count 1; new axes do not appear), the layout dy is reshaped to.
    const outShape = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
    const dyDense = () => tf.reshape(dy as tf.Tensor, outShape);
    if (info.strides.every((stride) => stride === 1)) {
      const padding = x.shape.map((size, axis): [number, number] => {
        const start = info.begin[axis] ?? 0;
        return [start, size - start - (outShape[axis] ?? size)];
      });
      return { x: () => tf.pad(dyDense(), padding) };
    }
    return {
      x: () => {
        const offsets = readOffsets(x.shape, outShape, info.begin, info.strides);
        const indices = tf.tensor2d(offsets, [offsets.length, 1], 'int32');
        const flat = tf.scatterND(indices, tf.reshape(dy as tf.Tensor, [offsets.length]), [x.size]);
        return tf.reshape(flat, x.shape);
      },
    };
  },
};
