import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { observePod } from '../../../operator/internal.js';

const worker = (status: V1Pod['status'], extra: Partial<NonNullable<V1Pod['metadata']>> = {}): V1Pod => ({
  metadata: {
    name: 'lvis-cls-1-0',
    labels: {
      'bacl.dev/job': 'lvis',
      'bacl.dev/stage': 'classifier',
      'bacl.dev/attempt': '1',
      'bacl.dev/node-rank': '0',
    },
    ...extra,
  },
  status,
});

describe('operator/reconcile/observe: a pod as decide() sees it', function () {
  it('reads stage, attempt and rank from the labels; ignores pods without them', function () {
    expect(
      observePod(worker({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })),
    ).to.deep.equal({
      name: 'lvis-cls-1-0',
      stage: 'classifier',
      attempt: 1,
      nodeRank: 0,
      phase: 'Running',
      ready: true,
    });
    expect(observePod({ metadata: { name: 'other', labels: { 'bacl.dev/job': 'lvis' } } })).to.equal(
      undefined,
    );
    expect(
      observePod(
        worker(undefined, {
          labels: { 'bacl.dev/stage': 'training', 'bacl.dev/attempt': '0', 'bacl.dev/node-rank': '0' },
        }),
      ),
    ).to.equal(undefined);
  });

  const reasons: [string, V1Pod['status'], string][] = [
    [
      'an image that cannot be pulled',
      {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'worker',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } },
          },
        ],
      },
      'ImagePullBackOff: Back-off pulling image "x"',
    ],
    [
      'a pod no node can take',
      {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/4 nodes are available',
          },
        ],
      },
      'Unschedulable: 0/4 nodes are available',
    ],
    [
      'an eviction',
      { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
      'Evicted: The node was low on resource: memory.',
    ],
  ];
  for (const [what, status, reason] of reasons) {
    it(`explains ${what}`, function () {
      expect(observePod(worker(status))?.reason).to.equal(reason);
    });
  }

  it("carries a failed container's exit code (5: LossDiverged), not a zero one", function () {
    const terminated = (name: string, exitCode: number) => ({
      name,
      image: 'x',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason: 'Error' } },
    });
    const failed = observePod(
      worker({ phase: 'Failed', containerStatuses: [terminated('side', 0), terminated('worker', 5)] }),
    );
    expect(failed).to.deep.include({ exitCode: 5, reason: 'Error (exit 5)' });
    const done = observePod(worker({ phase: 'Succeeded', containerStatuses: [terminated('worker', 0)] }));
    expect(done).to.not.have.property('exitCode');
  });

  it('carries the deletion deadline of a terminating pod', function () {
    const pod = worker({ phase: 'Running' }, { deletionTimestamp: new Date('2026-11-25T10:00:00Z') });
    expect(observePod(pod)?.deletionTimestamp).to.equal('2026-11-25T10:00:00.000Z');
  });
});
