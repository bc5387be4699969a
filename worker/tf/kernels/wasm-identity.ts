// wasm Identity as a shared reference instead of a copy.
//
// Why: the engine clones (runs Identity on) every tensor it saves for backprop, and wasm's Identity memcpy's it:
// 0.9 s of an R50 step and twice the saved-activation memory (tfjs-notes §4.1). cpu's Identity and wasm's own
// Reshape already share the data by bumping its refcount; tensors are immutable, so sharing is safe.
// Measured against: the values and refcounts in test/worker/tf/wasm-identity.test.ts.
import * as tf from '@tensorflow/tfjs';

interface RefCountedBackend {
  incRef(dataId: tf.DataId): void;
}

export const wasmIdentityKernel: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = inputs['x'] as tf.TensorInfo;
    (backend as unknown as RefCountedBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};
