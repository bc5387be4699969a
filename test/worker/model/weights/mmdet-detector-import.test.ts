// A whole detector from an mmdetection-named state dict that the test writes itself (tf.transpose for OIHW and
// [out, in], a reshape/transpose for shared_fcs.0's CHW flatten, its own safetensors writer): the tiny
// detector's every parameter and BN statistic arrives bitwise in a differently seeded one; the first shared
// FC computes on an NHWC-flattened RoI map what torch's Linear computes on the CHW-flattened one; BF16 values
// arrive exactly; a file that does not fit changes nothing.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import {
  type Detector,
  loadMmdetDetector,
  readSafetensors,
  readTargets,
  WeightsMismatchError,
} from '../../../../worker/internal.js';
import { useBackend } from '../../tf/helpers.js';
import { tinyDetector } from '../detector-fixture.js';
import { f32Bytes, i64Bytes, u16Bytes, writeSafetensors, type WrittenTensor } from './safetensors-writer.js';

const FLATTENED = 'roi_head.bbox_head.shared_fcs.0.weight';

/** The detector's state dict as mmdet would save it, with its float32 values per name (torch layout). */
async function mmdetStateDict(
  detector: Detector,
): Promise<Map<string, { shape: number[]; values: Float32Array }>> {
  const { roiSize, inChannels } = detector.head.options;
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const array of await readTargets(detector.weightTargets())) {
    const torch = tf.tidy(() => {
      const value = tf.tensor(array.data, array.shape);
      if (array.name === FLATTENED) {
        // [(y·7 + x)·C + c, out] -> [y, x, c, out] -> [out, c, y, x] -> [out, c·49 + y·7 + x]
        const out = array.shape[1]!;
        return value
          .reshape([roiSize, roiSize, inChannels, out])
          .transpose([3, 2, 0, 1])
          .reshape([out, inChannels * roiSize * roiSize]);
      }
      if (value.rank === 4) return value.transpose([3, 2, 0, 1]);
      if (value.rank === 2) return value.transpose();
      return value;
    });
    tensors.set(array.name, { shape: torch.shape, values: (await torch.data()) as Float32Array });
    torch.dispose();
  }
  return tensors;
}

function written(
  tensors: Map<string, { shape: number[]; values: Float32Array }>,
): Record<string, WrittenTensor> {
  return Object.fromEntries(
    [...tensors].map(([name, { shape, values }]) => [name, { dtype: 'F32', shape, bytes: f32Bytes(values) }]),
  );
}

describe('worker/model loadMmdetDetector', function () {
  this.timeout(120_000);
  let expected: Awaited<ReturnType<typeof readTargets>>;
  let stateDict: Map<string, { shape: number[]; values: Float32Array }>;

  before(async function () {
    await useBackend('wasm');
    const source = tinyDetector(21);
    try {
      expected = await readTargets(source.weightTargets());
      stateDict = await mmdetStateDict(source);
    } finally {
      source.dispose();
    }
  });

  it('loads every parameter and BN statistic bitwise, with BACL training state and BN counters tolerated', async function () {
    const file = writeSafetensors({
      ...written(stateDict),
      'backbone.bn1.num_batches_tracked': { dtype: 'I64', shape: [], bytes: i64Bytes([7]) },
      'roi_head.bbox_head.loss_cls.cm_numerator': {
        dtype: 'F32',
        shape: [12, 12],
        bytes: f32Bytes(new Float32Array(144)),
      },
      'roi_head.bbox_head.feature_used': { dtype: 'F32', shape: [12], bytes: f32Bytes(new Float32Array(12)) },
    });
    const target = tinyDetector(22);
    try {
      const report = loadMmdetDetector(target, readSafetensors(file, 'tiny.safetensors'));
      expect(report.loaded).to.have.length(expected.length);
      expect(report.ignored.map((i) => i.name)).to.have.members([
        'backbone.bn1.num_batches_tracked',
        'roi_head.bbox_head.loss_cls.cm_numerator',
        'roi_head.bbox_head.feature_used',
      ]);
      const loaded = await readTargets(target.weightTargets());
      expect(loaded.map((a) => a.name)).to.deep.equal(expected.map((a) => a.name));
      loaded.forEach((array, i) => {
        expect(array.shape, array.name).to.deep.equal(expected[i]!.shape);
        expect(
          Buffer.from(array.data.buffer).equals(Buffer.from(expected[i]!.data.buffer)),
          array.name,
        ).to.equal(true);
      });

      // shared_fcs.0 on a random RoI map: tfjs on the NHWC flatten, torch's Linear on the CHW flatten.
      const { roiSize, inChannels } = target.head.options;
      const torchWeight = stateDict.get(FLATTENED)!;
      const [outputs] = torchWeight.shape as [number, number];
      const map = Float32Array.from({ length: roiSize * roiSize * inChannels }, (_, i) => Math.sin(i * 0.37));
      const nhwc = tf.tensor2d(map, [1, map.length]);
      const ours = tf.matMul(nhwc, target.head.sharedFcs[0].weight);
      const got = (await ours.data()) as Float32Array;
      tf.dispose([nhwc, ours]);
      const plane = roiSize * roiSize;
      for (let o = 0; o < outputs; o += 17) {
        let sum = 0;
        for (let c = 0; c < inChannels; c++) {
          for (let p = 0; p < plane; p++) {
            // NHWC map value at (p = y·7 + x, c); torch's input index c·49 + p.
            sum += map[p * inChannels + c]! * torchWeight.values[o * inChannels * plane + c * plane + p]!;
          }
        }
        expect(got[o], `output ${o}`).to.be.closeTo(sum, 1e-4 * (1 + Math.abs(sum)));
      }
    } finally {
      target.dispose();
    }
  });

  it('reads BF16 tensors exactly (the top half of a float32)', async function () {
    const tensors = written(stateDict);
    const name = 'rpn_head.rpn_conv.bias';
    const bias = stateDict.get(name)!;
    // 1.5, -2, 0.09375 and the rest 0 (exact in bfloat16: 0x3fc0, 0xc000, 0x3dc0).
    const patterns = Array.from({ length: bias.values.length }, (_, i) => [0x3fc0, 0xc000, 0x3dc0][i] ?? 0);
    tensors[name] = { dtype: 'BF16', shape: bias.shape, bytes: u16Bytes(patterns) };
    const target = tinyDetector(23);
    try {
      loadMmdetDetector(target, readSafetensors(writeSafetensors(tensors), 'bf16.safetensors'));
      const values = await target.rpn.rpnConv.bias.data();
      expect([...values.slice(0, 4)]).to.deep.equal([1.5, -2, 0.09375, 0]);
    } finally {
      target.dispose();
    }
  });

  it('changes nothing when the file does not fit (one error names all the problems)', async function () {
    const tensors = written(stateDict);
    delete tensors['neck.fpn_convs.0.conv.bias'];
    const conv = stateDict.get('rpn_head.rpn_cls.weight')!;
    tensors['rpn_head.rpn_cls.weight'] = {
      dtype: 'F32',
      shape: [...conv.shape].reverse(),
      bytes: f32Bytes(conv.values),
    };
    tensors['roi_head.mask_head.conv_logits.bias'] = { dtype: 'F32', shape: [1], bytes: f32Bytes([0]) };
    const target = tinyDetector(24);
    try {
      const before = await readTargets(target.weightTargets());
      expect(() => loadMmdetDetector(target, readSafetensors(writeSafetensors(tensors), 'bad.safetensors')))
        .to.throw(WeightsMismatchError)
        .that.satisfies((error: WeightsMismatchError) => {
          expect(error.missing).to.deep.equal(['neck.fpn_convs.0.conv.bias']);
          expect(error.unexpected).to.deep.equal(['roi_head.mask_head.conv_logits.bias']);
          expect(error.mismatched.map((m) => m.name)).to.deep.equal(['rpn_head.rpn_cls.weight']);
          return true;
        });
      const after = await readTargets(target.weightTargets());
      after.forEach((array, i) =>
        expect(
          Buffer.from(array.data.buffer).equals(Buffer.from(before[i]!.data.buffer)),
          array.name,
        ).to.equal(true),
      );
    } finally {
      target.dispose();
    }
  });
});
