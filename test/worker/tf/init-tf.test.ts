import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { describeRuntime, initTf, installOverrides, TfBackendError } from '../../../worker/internal.js';
import { nativeMissing } from './helpers.js';

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
    expect(describeRuntime(runtime)).to.equal('tfjs backend wasm: SIMD, 1 thread');
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

  describe('the native backend', () => {
    it('starts tensorflow on the same tfjs engine, with TensorFlow 2.21, its threads and the padding kernels', async function () {
      if (nativeMissing !== undefined) this.skip();
      const runtime = await initTf({ backend: 'tensorflow', threads: 1 });
      // tfjs-node registered its backend with the tfjs this project imports: one tfjs-core, one engine.
      expect(tf.getBackend()).to.equal('tensorflow');
      expect(tf.engine().registryFactory).to.have.property('tensorflow');
      expect(runtime.native?.tfVersion).to.equal('2.21.0');
      expect(runtime.native?.gpu).to.equal(false);
      expect(runtime.overrides).to.include('tensorflow/Conv2D');
      expect(describeRuntime(runtime)).to.match(
        /^tfjs backend tensorflow: TensorFlow 2\.21\.0, CPU only, \d+ intra-op thread/,
      );
      expect(tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0]).to.equal(6);
      await initTf({ backend: 'wasm' });
    });

    it("'auto' takes tensorflow when its addon is installed, and logs nothing", async function () {
      if (nativeMissing !== undefined) this.skip();
      const lines: string[] = [];
      const runtime = await initTf({ backend: 'auto', log: (line) => lines.push(line) });
      expect(runtime.backend).to.equal('tensorflow');
      expect(runtime.fallback).to.equal(undefined);
      expect(lines).to.deep.equal([]);
      await initTf({ backend: 'wasm' });
    });

    it("'auto' falls back to wasm with one line saying how to install it, when it is not installed", async function () {
      if (nativeMissing === undefined) this.skip();
      const lines: string[] = [];
      const runtime = await initTf({ backend: 'auto', log: (line) => lines.push(line) });
      expect(runtime.backend).to.equal('wasm');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(
        /native TensorFlow backend not available: .*; using wasm\. Try this: baclctl backend install/,
      );
    });

    it('names the install command for the tensorflow backend when it is missing, with the cause', async function () {
      if (nativeMissing === undefined) this.skip();
      const error: unknown = await initTf({ backend: 'tensorflow' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TfBackendError);
      expect((error as TfBackendError).backend).to.equal('tensorflow');
      expect((error as TfBackendError).message).to.match(/Try this: baclctl backend install/);
      expect((error as TfBackendError).cause).to.be.instanceOf(Error);
    });
  });
});
