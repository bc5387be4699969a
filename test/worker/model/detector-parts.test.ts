// The detector's small pure-ish parts: mmcv's keep-ratio rescale, batch padding and box scaling, and SGD with
// weight decay against torch.optim.SGD's update worked by hand.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  initTf,
  prepareBatch,
  rescaleSize,
  SgdMomentum,
  type SourceImage,
} from '../../../worker/internal.js';

describe('worker/model detector parts', function () {
  before(async function () {
    await initTf({ backend: 'wasm' });
  });

  it('rescaleSize fits the long and the short side, rounding as mmcv does', function () {
    // min(1333 / 200, 800 / 100) = 6.665: 200 -> 1333, 100 -> floor(666.5 + 0.5) = 667.
    expect(rescaleSize(200, 100, [1333, 800])).to.deep.equal({
      width: 1333,
      height: 667,
      scaleFactor: [1333 / 200, 667 / 100],
    });
    // The short side binds: min(1333 / 640, 800 / 480) = 1.6667 -> 1067 x 800.
    expect(rescaleSize(640, 480, [800, 1333])).to.include({ width: 1067, height: 800 });
  });

  it('prepareBatch pads to the largest image rounded up to the divisor and scales the boxes', function () {
    const image = (width: number, height: number, box: number[]): SourceImage => ({
      data: new Uint8Array(width * height * 3).fill(128),
      width,
      height,
      gtBoxes: Float32Array.from(box),
      gtLabels: Int32Array.from([1]),
    });
    const batch = prepareBatch([image(50, 40, [10, 10, 20, 30]), image(40, 40, [0, 0, 40, 40])], {
      scale: [100, 80],
      sizeDivisor: 32,
    });
    try {
      // 50x40 -> factor min(100/50, 80/40) = 2 -> 100x80; 40x40 -> min(2.5, 2) = 2 -> 80x80; pad 128x96.
      expect(batch.images.shape).to.deep.equal([2, 96, 128, 3]);
      expect(batch.imageSizes).to.deep.equal([
        { height: 80, width: 100 },
        { height: 80, width: 80 },
      ]);
      expect(Array.from(batch.gtBoxes[0] ?? [])).to.deep.equal([20, 20, 40, 60]);
      expect(batch.testImages[1]?.scaleFactor).to.deep.equal([2, 2]);
      // Padding is zero after normalisation (mmdet pads the normalised image).
      const corner = tf.tidy(() => tf.slice(batch.images, [0, 90, 120, 0], [1, 1, 1, 3]).dataSync());
      expect(Array.from(corner)).to.deep.equal([0, 0, 0]);
    } finally {
      batch.images.dispose();
    }
  });

  it('SgdMomentum: g + wd*w into the momentum buffer, as torch.optim.SGD', function () {
    const w = tf.variable(tf.scalar(1), true, 'detector-parts.sgd.w');
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0.1 });
    const grad = tf.scalar(0.5);
    try {
      optimizer.step({ [w.name]: grad }, 0.1);
      // g' = 0.5 + 0.1 * 1 = 0.6, b = 0.6, w = 1 - 0.1 * 0.6
      expect(w.dataSync()[0]).to.be.closeTo(0.94, 1e-6);
      optimizer.step({ [w.name]: grad }, 0.1);
      // g' = 0.5 + 0.094 = 0.594, b = 0.9 * 0.6 + 0.594 = 1.134, w = 0.94 - 0.1134
      expect(w.dataSync()[0]).to.be.closeTo(0.8266, 1e-6);
    } finally {
      grad.dispose();
      optimizer.dispose();
      w.dispose();
    }
  });
});
