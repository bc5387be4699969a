import { expect } from 'chai';
import type { BaclJobStatus } from '../../../common/index.js';
import { transitionEvents, ownerKey, sameJson } from '../../../operator/internal.js';

const condition = (type: string, status: 'True' | 'False', reason: string) => ({
  type: type as 'Failed',
  status,
  reason,
  message: `${type} ${reason}`,
  lastTransitionTime: '2026-11-25T10:00:00Z',
});

describe('operator/controller helpers', function () {
  it('sameJson ignores key order and undefined properties, not values', function () {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).to.equal(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).to.equal(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 0 })).to.equal(false);
    expect(sameJson(undefined, {})).to.equal(false);
  });

  it('maps an owned object to its job key through the job label', function () {
    expect(ownerKey({ metadata: { namespace: 'ml', labels: { 'bacl.dev/job': 'lvis' } } })).to.equal(
      'ml/lvis',
    );
    expect(ownerKey({ metadata: { namespace: 'ml', labels: {} } })).to.equal(undefined);
  });

  describe('transitionEvents', function () {
    const running: BaclJobStatus = { stage: 'representation', restarts: 0, conditions: [] };

    it('a restart is a Warning with the Restarting condition reason', function () {
      const after: BaclJobStatus = {
        ...running,
        restarts: 1,
        conditions: [condition('Restarting', 'True', 'WorkerFailed')],
      };
      expect(transitionEvents(running, after)).to.deep.equal([
        {
          type: 'Warning',
          reason: 'WorkerFailed',
          message: 'Restarting WorkerFailed',
          log: 'Restarted group',
        },
      ]);
    });

    it('terminal transitions and stage changes are recorded once, not on every write', function () {
      const failed: BaclJobStatus = {
        ...running,
        conditions: [condition('Failed', 'True', 'BackoffLimitExceeded')],
      };
      expect(transitionEvents(running, failed).map((e) => `${e.type} ${e.reason}`)).to.deep.equal([
        'Warning BackoffLimitExceeded',
      ]);
      expect(transitionEvents(failed, failed)).to.deep.equal([]);
      expect(
        transitionEvents(running, { ...running, stage: 'classifier' }).map((e) => e.reason),
      ).to.deep.equal(['StageStarted']);
    });
  });
});
