import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  describeRuntime,
  initTf,
  installOverrides,
  nativeInstall,
  TfBackendError,
} from '../../../worker/internal.js';
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

  // These run everywhere, CI included (where the real addon is installed): they point initTf at a tfjs-node
  // package directory whose addon is missing or is not a loadable library.
  describe("'auto' without a usable native addon", () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bacl-tf-native-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    /** A tfjs-node package directory as scripts/tf-native.sh leaves it, with `addon` as its addon's bytes. */
    async function fakePackage(name: string, addon?: string): Promise<string> {
      const packageDir = join(dir, name);
      await mkdir(join(packageDir, 'deps'), { recursive: true });
      await mkdir(join(packageDir, 'lib', 'napi-v8'), { recursive: true });
      const manifest = {
        tf: '2.21.0',
        variant: 'cpu',
        tfjsNode: '4.22.0',
        napi: 8,
        node: '22',
        vendored: false,
      };
      await writeFile(join(packageDir, 'deps', 'bacl-native.json'), JSON.stringify(manifest));
      if (addon !== undefined)
        await writeFile(join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node'), addon);
      await writeFile(join(packageDir, 'package.json'), '{"name":"@tensorflow/tfjs-node","main":"index.js"}');
      // Never reached (the addon fails first): if it were, the test's expectations would catch its error.
      await writeFile(join(packageDir, 'index.js'), "throw new Error('the package JS ran');\n");
      return packageDir;
    }

    const fallbackLine =
      /^native TensorFlow backend not available: (.*); using wasm\. Try this: baclctl backend install \(or: bash scripts\/tf-native\.sh \[--gpu\]\)$/;

    async function expectFallback(nativeDir: string): Promise<string> {
      const lines: string[] = [];
      const runtime = await initTf({ backend: 'auto', nativeDir, log: (line) => lines.push(line) });
      expect(runtime.backend).to.equal('wasm');
      expect(tf.getBackend()).to.equal('wasm');
      expect(lines).to.have.length(1);
      expect(runtime.fallback).to.equal(lines[0]);
      const why = fallbackLine.exec(lines[0] ?? '')?.[1];
      expect(why, lines[0]).to.be.a('string');
      return why ?? '';
    }

    it('falls back to wasm with one line when the package has no built addon', async () => {
      const empty = join(dir, 'empty');
      await mkdir(empty);
      expect(await expectFallback(empty)).to.equal(
        `its addon is not built (no ${join(empty, 'deps', 'bacl-native.json')})`,
      );
    });

    it('falls back to wasm with one line when the manifest is there but the addon file is missing', async () => {
      const packageDir = await fakePackage('no-addon');
      expect(nativeInstall(packageDir)).to.deep.include({ installed: false });
      expect(await expectFallback(packageDir)).to.equal(
        `${join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node')} is missing`,
      );
    });

    it('falls back to wasm with one line when the addon is there but does not load', async () => {
      const packageDir = await fakePackage('damaged', 'not an ELF shared object\n');
      const addon = join(packageDir, 'lib', 'napi-v8', 'tfjs_binding.node');
      expect(nativeInstall(packageDir)).to.deep.include({ installed: true, addon });
      const why = await expectFallback(packageDir);
      // dlopen's own first line, which names the file.
      expect(why).to.match(/^its addon did not load \(.*tfjs_binding\.node: .+\)$/);
      expect(why).to.contain(addon);
    });

    it('refuses a forced tensorflow that is not built, naming the install command and why', async () => {
      const empty = join(dir, 'empty-forced');
      await mkdir(empty);
      const error: unknown = await initTf({ backend: 'tensorflow', nativeDir: empty }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(TfBackendError);
      expect((error as TfBackendError).backend).to.equal('tensorflow');
      expect((error as TfBackendError).message).to.match(/Try this: baclctl backend install/);
      expect(String((error as TfBackendError).cause)).to.contain('its addon is not built');
    });

    it('refuses a forced tensorflow whose addon does not load, naming the install command and the cause', async () => {
      const packageDir = await fakePackage('damaged-forced', '\x7fELF but truncated');
      const error: unknown = await initTf({ backend: 'tensorflow', nativeDir: packageDir }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(TfBackendError);
      expect((error as TfBackendError).backend).to.equal('tensorflow');
      expect((error as TfBackendError).message).to.match(/Try this: baclctl backend install/);
      expect(String((error as TfBackendError).cause)).to.contain('tfjs_binding.node');
    });
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
  });
});
