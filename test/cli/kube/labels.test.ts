import { expect } from 'chai';
import { podLabels, workerContainer } from '../../../cli/kube/related.js';
import { labels } from '../../../operator/reconcile/naming.js';
import { buildWorkerPod } from '../../../operator/reconcile/objects.js';
import { parseBaclJob } from '../../../common/index.js';
import { minimalJob } from '../../operator/fixtures.js';

// The CLI finds a job's pods by the operator's labels and reads the operator's container: it keeps its own
// copy (cli/ must not load the operator), and this test fails when the two drift apart.
describe('cli/kube/related: the operator contract', function () {
  it('uses the operator pod labels', function () {
    expect(podLabels).to.deep.equal(labels);
  });

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
