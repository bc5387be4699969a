// The config digest: the same config gives the same digest whatever its key order; any value changes it.
import { expect } from 'chai';
import { configDigest, loadTrainingConfig } from '../../common/internal.js';

describe('common/training-config configDigest', function () {
  it('is a SHA-256 hex string, the same for the same config and for reordered keys', function () {
    const { config } = loadTrainingConfig('tiny');
    const digest = configDigest(config);
    expect(digest).to.match(/^[0-9a-f]{64}$/);
    expect(configDigest(loadTrainingConfig('tiny').config)).to.equal(digest);
    const reordered = Object.fromEntries(Object.entries(config).reverse()) as typeof config;
    expect(configDigest(reordered)).to.equal(digest);
  });

  it('changes with any value, however deep', function () {
    const base = configDigest(loadTrainingConfig('tiny').config);
    for (const set of ['seed=1', 'schedule.classifier.lr=0.02', 'model.rpn_head.anchor_scales=[8]']) {
      expect(configDigest(loadTrainingConfig('tiny', { sets: [set] }).config), set).to.not.equal(base);
    }
  });
});
