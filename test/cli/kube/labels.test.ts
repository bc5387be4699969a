import { expect } from 'chai';
import { parseBaclJob, podLabels, workerContainer } from '../../../common/index.js';
import { buildWorkerPod } from '../../../operator/internal.js';
import { minimalJob } from '../../operator/fixtures.js';

// The CLI finds a job's pods by the pod labels and reads the worker container, both defined once in
// common/api: this test fails when the operator stops writing them on its pods.
describe('cli/kube/related: the operator contract', function () {
  it('reads the container the operator names', function () {
    const job = parseBaclJob({
      ...minimalJob('contract'),
      metadata: { name: 'contract', namespace: 'ns', uid: 'u' },
    });
    const pod = buildWorkerPod(job, { stage: 'representation', attempt: 0, nodeRank: 0 });
    expect(pod.spec?.containers.map((container) => container.name)).to.deep.equal([workerContainer]);
    expect(Object.keys(pod.metadata?.labels ?? {})).to.include.members(Object.values(podLabels));
  });
});
