import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { initTf, installOverrides, TfBackendError } from '../../../worker/internal.js';

describe('worker/tf initTf', () => {
  it('starts wasm with SIMD and its overrides, finding the .wasm files itself', async () => {
    const runtime = await initTf({ backend: 'wasm' });
    expect(tf.getBackend()).to.equal('wasm');
    expect(runtime.simd).to.equal(true);
    expect(runtime.overrides).to.include.members([
      'wasm/Conv2DBackpropFilter',
      'wasm/UnsortedSegmentSum',
      'wasm/Identity',
    ]);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).to.not.equal(undefined);
  });

  it('starts cpu with its overrides and the gradients', async () => {
    const runtime = await initTf({ backend: 'cpu' });
    expect(tf.getBackend()).to.equal('cpu');
    expect(runtime.overrides).to.include.members(['cpu/Conv2DBackpropFilter', 'gradient/StridedSlice']);
    expect(tf.getGradient(tf.GatherNd)).to.not.equal(undefined);
  });

  it('installs each backend once however often it is called', async () => {
    const kernel = tf.getKernel(tf.UnsortedSegmentSum, 'wasm');
    const again = await initTf({ backend: 'wasm' });
    expect(tf.getKernel(tf.UnsortedSegmentSum, 'wasm')).to.equal(kernel);
    expect(installOverrides('wasm')).to.equal(again.overrides);
  });

  it('rejects with the abort reason when aborted before start-up', async () => {
    const reason = new Error('shutting down');
    const error: unknown = await initTf({ backend: 'cpu', signal: AbortSignal.abort(reason) }).catch(
      (e: unknown) => e,
    );
    expect(error).to.equal(reason);
  });

  it('names the missing package for the tensorflow backend, with the cause', async () => {
    const error: unknown = await initTf({ backend: 'tensorflow' }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TfBackendError);
    expect((error as TfBackendError).backend).to.equal('tensorflow');
    expect((error as TfBackendError).message).to.match(/Try this: install @tensorflow\/tfjs-node/);
    expect((error as TfBackendError).cause).to.be.instanceOf(Error);
  });
});
