// The per-stage trainable-set rule: stage 2 keeps only names with fc_cls, fc_reg, rpn or mask_head trainable
// (spec 1.4), stage 1 and the baseline freeze nothing, and freezing never unfreezes.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { freezeForStage, frozenInStage } from '../../../worker/internal.js';
import { useCpuBackend } from '../tf/helpers.js';

const names = [
  'backbone.conv1.weight',
  'backbone.layer3.0.bn1.weight',
  'neck.fpn_convs.0.conv.weight',
  'rpn_head.rpn_conv.weight',
  'rpn_head.rpn_cls.bias',
  'roi_head.bbox_head.shared_fcs.0.weight',
  'roi_head.bbox_head.shared_fcs.1.bias',
  'roi_head.bbox_head.fc_cls.weight',
  'roi_head.bbox_head.fc_reg.bias',
  'roi_head.mask_head.convs.0.conv.weight',
];

describe('stage trainable sets', () => {
  before(useCpuBackend);

  it('freezes all but fc_cls, fc_reg, the RPN and the mask head in stage 2', () => {
    const frozen = names.filter((name) => frozenInStage('classifier', name));
    expect(frozen).to.deep.equal([
      'backbone.conv1.weight',
      'backbone.layer3.0.bn1.weight',
      'neck.fpn_convs.0.conv.weight',
      'roi_head.bbox_head.shared_fcs.0.weight',
      'roi_head.bbox_head.shared_fcs.1.bias',
    ]);
    expect(names.some((name) => frozenInStage('representation', name))).to.equal(false);
    expect(names.some((name) => frozenInStage('baseline', name))).to.equal(false);
  });

  it('marks variables non-trainable by state-dict name and never unfreezes one', () => {
    const variables = names.map((name, i) => tf.variable(tf.scalar(i), true, `rule-test/${name}`));
    const stem = variables[0] as tf.Variable;
    stem.trainable = false; // a backbone frozen stage
    const frozen = freezeForStage('representation', variables, (v) => v.name.slice('rule-test/'.length));
    expect(frozen).to.deep.equal([]);
    expect(stem.trainable).to.equal(false);
    freezeForStage('classifier', variables, (v) => v.name.slice('rule-test/'.length));
    expect(variables.filter((v) => v.trainable).map((v) => v.name.slice('rule-test/'.length))).to.deep.equal([
      'rpn_head.rpn_conv.weight',
      'rpn_head.rpn_cls.bias',
      'roi_head.bbox_head.fc_cls.weight',
      'roi_head.bbox_head.fc_reg.bias',
      'roi_head.mask_head.convs.0.conv.weight',
    ]);
    tf.dispose(variables);
  });
});
