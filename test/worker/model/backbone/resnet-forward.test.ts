// The tiny ResNet's C2..C5 against a plain-loop port of torchvision's forward (resnet-reference.ts): symmetric
// padding, the stem's max-pool, stride on the 3x3 conv, downsample shortcuts and eval-mode BN with non-trivial
// statistics, on even and odd input sizes.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { ParameterStore, ResNet, tinyResNetArch } from '../../../../worker/internal.js';
import { relativeError, seededValues, useBackend } from '../../tf/helpers.js';
import {
  addRelu,
  batchNormEval,
  conv,
  maxPool3x3s2p1,
  type BnValues,
  type Map4,
} from './resnet-reference.js';
import { seededRng } from '../../../../common/index.js';

function referenceForward(store: ParameterStore, image: Map4, blocks: number[]): Map4[] {
  const w = (name: string) => store.get(`backbone.${name}`);
  const convBn = (x: Map4, convName: string, bnName: string, stride: number, relu: boolean): Map4 => {
    const weight = w(`${convName}.weight`);
    const kernel = weight.shape[0] ?? NaN;
    const bn: BnValues = {
      weight: w(`${bnName}.weight`).dataSync(),
      bias: w(`${bnName}.bias`).dataSync(),
      mean: w(`${bnName}.running_mean`).dataSync(),
      variance: w(`${bnName}.running_var`).dataSync(),
    };
    return batchNormEval(conv(x, weight.dataSync(), weight.shape, stride, (kernel - 1) / 2), bn, relu);
  };
  let x = maxPool3x3s2p1(convBn(image, 'conv1', 'bn1', 2, true));
  const outputs: Map4[] = [];
  blocks.forEach((count, s) => {
    for (let b = 0; b < count; b++) {
      const name = `layer${s + 1}.${b}`;
      const stride = b === 0 && s > 0 ? 2 : 1;
      let y = convBn(x, `${name}.conv1`, `${name}.bn1`, 1, true);
      y = convBn(y, `${name}.conv2`, `${name}.bn2`, stride, true);
      y = convBn(y, `${name}.conv3`, `${name}.bn3`, 1, false);
      const shortcut = store.has(`backbone.${name}.downsample.0.weight`)
        ? convBn(x, `${name}.downsample.0`, `${name}.downsample.1`, stride, false)
        : x;
      x = addRelu(y, shortcut);
    }
    outputs.push(x);
  });
  return outputs;
}

describe('ResNet forward against a torch-semantics reference', () => {
  before(() => useBackend('wasm'));

  const sizes: [number, number][] = [
    [32, 24],
    [29, 35],
  ];
  for (const [height, width] of sizes) {
    it(`matches C2..C5 on a ${height}x${width} input`, () => {
      const blocks = [2, 1, 2, 1];
      const store = new ParameterStore({ scope: `resnet-forward-${height}` });
      const resnet = new ResNet(store, seededRng(7), {
        arch: tinyResNetArch({ blocks: blocks as [number, number, number, number] }),
        zeroInitResidual: false,
      });
      tf.tidy(() => {
        for (const entry of store.list()) {
          if (!entry.name.includes('bn')) continue; // BN affine and statistics away from 1 and 0
          const values = seededValues(entry.variable.size, entry.variable.size + entry.name.length);
          const positive = entry.name.endsWith('running_var') || entry.name.endsWith('weight');
          entry.variable.assign(tf.tensor1d(positive ? values.map((v) => 0.5 + Math.abs(v)) : values));
        }
      });
      const pixels = seededValues(2 * height * width * 3, 3);
      const images = tf.tensor4d(pixels, [2, height, width, 3]);
      const outputs = resnet.apply(images);
      const expected = referenceForward(
        store,
        { shape: [2, height, width, 3], data: Float64Array.from(pixels) },
        blocks,
      );
      outputs.forEach((output, i) => {
        expect(output.shape, `C${i + 2}`).to.deep.equal(expected[i]!.shape);
        expect(relativeError(output.dataSync(), expected[i]!.data), `C${i + 2}`).to.be.below(1e-5);
      });
      tf.dispose([images, ...outputs]);
      store.dispose();
    });
  }
});
