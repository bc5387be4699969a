// The mmdetection state-dict mapping as pure logic (no tfjs, no I/O): each torch layout's shape and index
// arithmetic checked on values written out by hand, and the import plan: every missing, unexpected, mis-shaped
// and non-float tensor in ONE error with shapes in torch's layout and what to do; the tolerated tensors
// (num_batches_tracked, BACL's FCBL/FHM buffers, EMA copies) reported with why; a DDP `module.` prefix dropped.
import { expect } from 'chai';
import {
  flattenedLinearToNhwc,
  fromTorchLayout,
  layoutForRank,
  mmdetIgnoredReason,
  planMmdetImport,
  torchShape,
  transposeLinear,
  WeightsMismatchError,
  type MmdetTarget,
} from '../../../../worker/internal.js';

const conv = { kind: 'conv' } as const;
const linear = { kind: 'linear' } as const;
const same = { kind: 'same' } as const;

describe('worker/model/weights mmdet layouts', function () {
  it('gives each tfjs shape its torch shape: HWIO<-OIHW, [in,out]<-[out,in], vectors as they are', function () {
    expect(torchShape([3, 3, 16, 32], conv)).to.deep.equal([32, 16, 3, 3]);
    expect(torchShape([1568, 128], linear)).to.deep.equal([128, 1568]);
    const flattened = { kind: 'flattened-linear', height: 7, width: 7, channels: 32 } as const;
    expect(torchShape([1568, 128], flattened)).to.deep.equal([128, 1568]);
    expect(torchShape([64], same)).to.deep.equal([64]);
    expect(layoutForRank(4)).to.deep.equal(conv);
    expect(layoutForRank(2)).to.deep.equal(linear);
    expect(layoutForRank(1)).to.deep.equal(same);
  });

  it('transposes a torch Linear [out, in] into a dense kernel [in, out]', function () {
    // torch W = [[1, 2, 3], [4, 5, 6]] (2 outputs, 3 inputs): y0 = x·(1,2,3), y1 = x·(4,5,6).
    const kernel = transposeLinear(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect([...kernel]).to.deep.equal([1, 4, 2, 5, 3, 6]);
    expect([...fromTorchLayout(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], linear)]).to.deep.equal([
      1, 4, 2, 5, 3, 6,
    ]);
  });

  it("moves a Linear on a CHW-flattened map to the NHWC flatten (mmdet's shared_fcs.0)", function () {
    // C = 2 channels, H = 1, W = 2, one output. torch input order (c, x): (0,0) (0,1) (1,0) (1,1) with weights
    // 10, 11, 20, 21; NHWC order (x, c): (0,0) (0,1) (1,0) (1,1) takes 10, 20, 11, 21.
    const layout = { kind: 'flattened-linear', height: 1, width: 2, channels: 2 } as const;
    const kernel = flattenedLinearToNhwc(Float32Array.from([10, 11, 20, 21]), [1, 4], layout);
    expect([...kernel]).to.deep.equal([10, 20, 11, 21]);
    // Two outputs: the second row (30, 31, 40, 41) interleaves as the kernel's second column.
    const two = fromTorchLayout(Float32Array.from([10, 11, 20, 21, 30, 31, 40, 41]), [2, 4], layout);
    expect([...two]).to.deep.equal([10, 30, 20, 40, 11, 31, 21, 41]);
  });

  it("converts OIHW to HWIO (the torchvision importer's arithmetic)", function () {
    // O = 2, I = 1, 1x2 kernel: torch [[[[1, 2]]], [[[3, 4]]]] -> HWIO [1][2][1][2] = [[[[1, 3]], [[2, 4]]]].
    expect([...fromTorchLayout(Float32Array.from([1, 2, 3, 4]), [2, 1, 1, 2], conv)]).to.deep.equal([
      1, 3, 2, 4,
    ]);
  });
});

describe('worker/model/weights planMmdetImport', function () {
  const targets: MmdetTarget[] = [
    { name: 'backbone.conv1.weight', shape: [7, 7, 3, 16], layout: conv },
    { name: 'backbone.bn1.running_mean', shape: [16], layout: same },
    { name: 'rpn_head.rpn_cls.weight', shape: [1, 1, 32, 3], layout: conv },
    { name: 'roi_head.bbox_head.fc_cls.weight', shape: [128, 13], layout: linear },
    { name: 'roi_head.bbox_head.fc_cls.bias', shape: [13], layout: same },
  ];
  const file = (entries: Record<string, [string, number[]]>) =>
    new Map(Object.entries(entries).map(([name, [dtype, shape]]) => [name, { dtype, shape }]));
  const complete = {
    'backbone.conv1.weight': ['F32', [16, 3, 7, 7]],
    'backbone.bn1.running_mean': ['F16', [16]],
    'rpn_head.rpn_cls.weight': ['BF16', [3, 32, 1, 1]],
    'roi_head.bbox_head.fc_cls.weight': ['F32', [13, 128]],
    'roi_head.bbox_head.fc_cls.bias': ['F64', [13]],
  } as Record<string, [string, number[]]>;

  it('matches every target in target order and reports the tolerated tensors with why', function () {
    const plan = planMmdetImport(
      targets,
      file({
        ...complete,
        'backbone.bn1.num_batches_tracked': ['I64', []],
        'roi_head.bbox_head.loss_cls.cm_numerator': ['F32', [12, 12]],
        'roi_head.bbox_head.loss_cls.num_gt': ['F32', [12]],
        'roi_head.bbox_head.feature_prototype': ['F32', [12, 128]],
        'roi_head.bbox_head.feature_variance': ['F32', [12, 128]],
        'roi_head.bbox_head.feature_used': ['F32', [12]],
        ema_backbone_conv1_weight: ['F32', [16, 3, 7, 7]],
      }),
      'model.safetensors',
    );
    expect(plan.matched.map((m) => [m.target.name, m.fileName])).to.deep.equal(
      targets.map((t) => [t.name, t.name]),
    );
    expect(plan.ignored.map((i) => i.name)).to.have.members([
      'backbone.bn1.num_batches_tracked',
      'roi_head.bbox_head.loss_cls.cm_numerator',
      'roi_head.bbox_head.loss_cls.num_gt',
      'roi_head.bbox_head.feature_prototype',
      'roi_head.bbox_head.feature_variance',
      'roi_head.bbox_head.feature_used',
      'ema_backbone_conv1_weight',
    ]);
    for (const { name, reason } of plan.ignored) expect(reason, name).to.equal(mmdetIgnoredReason(name));
    expect(mmdetIgnoredReason('backbone.bn1.num_batches_tracked')).to.match(/eval mode/);
    expect(mmdetIgnoredReason('roi_head.bbox_head.feature_used')).to.match(/FCBL\/FHM/);
    expect(mmdetIgnoredReason('roi_head.mask_head.convs.0.conv.weight')).to.equal(undefined);
  });

  it('drops a module. prefix on every name (a state dict saved from the DDP wrapper), as mmcv does', function () {
    const prefixed = Object.fromEntries(Object.entries(complete).map(([name, v]) => [`module.${name}`, v]));
    const plan = planMmdetImport(targets, file(prefixed), 'ddp.safetensors');
    expect(plan.matched.map((m) => m.fileName)).to.deep.equal(targets.map((t) => `module.${t.name}`));
    // A prefix on some names only is not the DDP wrapper: those names are unexpected.
    expect(() =>
      planMmdetImport(
        targets,
        file({ ...complete, 'module.extra.weight': ['F32', [1]] }),
        'mixed.safetensors',
      ),
    )
      .to.throw(WeightsMismatchError)
      .with.property('unexpected')
      .that.deep.equals(['module.extra.weight']);
  });

  it('lists every missing, unexpected, mis-shaped and non-float tensor in one error, shapes in torch layout', function () {
    const { 'backbone.bn1.running_mean': _missing, ...rest } = complete;
    let error: unknown;
    try {
      planMmdetImport(
        targets,
        file({
          ...rest,
          // HWIO as is: the file must hold OIHW.
          'backbone.conv1.weight': ['F32', [7, 7, 3, 16]],
          // An integer tensor where a float one belongs.
          'rpn_head.rpn_cls.weight': ['I64', [3, 32, 1, 1]],
          // A checkpoint of another class count: 1203 classes + background.
          'roi_head.bbox_head.fc_cls.weight': ['F32', [1204, 128]],
          'roi_head.mask_head.conv_logits.weight': ['F32', [80, 256, 1, 1]],
          'neck.fpn_convs.4.conv.weight': ['F32', [32, 32, 3, 3]],
          'backbone.bn1.num_batches_tracked': ['I64', []],
        }),
        'bacl_r50.safetensors',
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(WeightsMismatchError);
    const mismatch = error as WeightsMismatchError;
    expect(mismatch.source).to.equal('bacl_r50.safetensors');
    expect(mismatch.missing).to.deep.equal(['backbone.bn1.running_mean']);
    expect(mismatch.unexpected).to.deep.equal([
      'roi_head.mask_head.conv_logits.weight',
      'neck.fpn_convs.4.conv.weight',
    ]);
    expect(mismatch.mismatched).to.deep.equal([
      { name: 'backbone.conv1.weight', expected: 'float [16, 3, 7, 7]', actual: 'F32 [7, 7, 3, 16]' },
      { name: 'rpn_head.rpn_cls.weight', expected: 'float [3, 32, 1, 1]', actual: 'I64 [3, 32, 1, 1]' },
      {
        name: 'roi_head.bbox_head.fc_cls.weight',
        expected: 'float [13, 128]',
        actual: 'F32 [1204, 128]',
      },
    ]);
    expect(mismatch.message).to.contain('missing backbone.bn1.running_mean');
    expect(mismatch.message).to.contain('unexpected roi_head.mask_head.conv_logits.weight');
    expect(mismatch.message).to.contain(
      'backbone.conv1.weight (file F32 [7, 7, 3, 16], model float [16, 3, 7, 7])',
    );
    expect(mismatch.message).to.contain('Try this: evaluate with the config the checkpoint was trained with');
    expect(mismatch.hint).to.contain('fc_cls has 1204 outputs: num_classes 1203');
    expect(mismatch.message).to.not.contain('num_batches_tracked');
  });

  it('refuses an empty file with every target missing', function () {
    expect(() => planMmdetImport(targets, new Map(), 'empty.safetensors'))
      .to.throw(WeightsMismatchError)
      .with.property('missing')
      .that.has.length(targets.length);
  });
});
