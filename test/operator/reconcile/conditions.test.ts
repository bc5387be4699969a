import { expect } from 'chai';
import type { BaclJobStatus } from '../../../common/index.js';
import { deriveState, setCondition } from '../../../operator/internal.js';
import { at } from './fixtures.js';

describe('operator/reconcile/conditions', function () {
  it('moves lastTransitionTime only when the status flips', function () {
    const status: BaclJobStatus = {};
    setCondition(
      status,
      { type: 'Running', status: 'False', reason: 'WorkersPending', message: 'a' },
      at(0),
      1,
    );
    setCondition(
      status,
      { type: 'Running', status: 'False', reason: 'WorkersPending', message: 'b' },
      at(10),
      2,
    );
    expect(status.conditions).to.deep.equal([
      {
        type: 'Running',
        status: 'False',
        reason: 'WorkersPending',
        message: 'b',
        lastTransitionTime: at(0).toISOString(),
        observedGeneration: 2,
      },
    ]);
    setCondition(
      status,
      { type: 'Running', status: 'True', reason: 'WorkersRunning', message: 'c' },
      at(20),
      2,
    );
    expect(status.conditions?.[0]?.lastTransitionTime).to.equal(at(20).toISOString());
  });

  const cases: [string[], string][] = [
    [[], 'Pending'],
    [['Created'], 'Pending'],
    [['Created', 'Running'], 'Running'],
    [['Created', 'Running', 'Restarting'], 'Restarting'],
    [['Created', 'Restarting', 'Suspended'], 'Suspended'],
    [['Created', 'Succeeded'], 'Succeeded'],
    [['Created', 'Running', 'Failed'], 'Failed'],
  ];
  for (const [trueTypes, state] of cases) {
    it(`state is ${state} when ${trueTypes.join(', ') || 'nothing'} is true`, function () {
      const status: BaclJobStatus = {};
      for (const type of trueTypes) {
        setCondition(status, { type: type as 'Running', status: 'True', reason: 'R', message: '' }, at(0));
      }
      expect(deriveState(status)).to.equal(state);
    });
  }
});
