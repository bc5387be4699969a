import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { decide, resultsFromPod } from '../../../operator/internal.js';
import { at, condition, job, observed, pod, t0 } from './fixtures.js';

/** The evaluate node-0 pod as the kubelet leaves it: the worker container terminated with `message`. */
function evaluator(message: string | undefined, container = 'worker'): V1Pod {
  return {
    metadata: { name: 'lvis-eval-0-0' },
    status: {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: container,
          image: 'bacl',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            terminated: { exitCode: 0, reason: 'Completed', ...(message === undefined ? {} : { message }) },
          },
        },
      ],
    },
  };
}

const uri = 's3://bacl/runs/ml/lvis/uid-1/eval/metrics.json';

describe('operator/reconcile/observe: status.results from the termination message (ADR 0037)', function () {
  it('reads the metrics the evaluate rank 0 wrote, keeping the schema keys and naming metrics.json', function () {
    const message = JSON.stringify({
      AP: 0.254321,
      AP50: 0.4,
      APr: 0.151,
      APc: 0.2449,
      APf: 0.3012,
      AR: 0.5,
    });
    expect(resultsFromPod(evaluator(message), uri)).to.deep.equal({
      results: { AP: 0.254321, AP50: 0.4, APr: 0.151, APc: 0.2449, APf: 0.3012, uri },
    });
  });

  // [what, message, container, problem]
  const problems: [string, string | undefined, string, RegExp][] = [
    ['no message at all', undefined, 'worker', /lvis-eval-0-0's termination message is empty/],
    ['a blank message', '  \n', 'worker', /is empty/],
    ['a message from another container', '{"AP":0.3}', 'sidecar', /is empty/],
    ['a message that is not JSON', 'Error: out of memory', 'worker', /is not JSON: "Error: out of memory"/],
    ['JSON without AP', '{"APr":0.1}', 'worker', /is not the metrics: AP: /],
    ['AP of the wrong type', '{"AP":"high"}', 'worker', /is not the metrics: AP: /],
    // The kubelet keeps the last 4096 bytes: a cut message is no JSON and says so.
    ['a message the kubelet cut', '"AP":0.25}', 'worker', /is not the metrics|is not JSON/],
  ];
  for (const [what, message, container, problem] of problems)
    it(`names the problem for ${what}`, function () {
      const read = resultsFromPod(evaluator(message, container), uri);
      expect('problem' in read ? read.problem : 'no problem').to.match(problem);
    });

  it('fails the job with ResultsMissing saying what was wrong, instead of waiting', function () {
    const current = job({}, { ...decide(job(), observed(), t0).status, stage: 'evaluate' });
    const decision = decide(
      current,
      observed([pod('evaluate', 0, 0, 'Succeeded')], {
        resultsProblem: "pod lvis-eval-0-0's termination message is empty",
      }),
      at(100),
    );
    expect(condition(decision.status, 'Failed')).to.equal('True ResultsMissing');
    expect(decision.status.conditions?.find((c) => c.type === 'Failed')?.message).to.equal(
      "the evaluate stage succeeded but its rank 0 reported no metrics: pod lvis-eval-0-0's termination message is empty",
    );
  });
});
