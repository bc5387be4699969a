import { expect } from 'chai';
import {
  InvalidBaclJobError,
  jobStagesOf,
  parseBaclJob,
  type BaclJobSpecInput,
  type JobStage,
  type TrainingStageName,
} from '../../../common/index.js';
import { decide, type ObservedPod } from '../../../operator/internal.js';
import { minimalJob, minimalSpec } from '../fixtures.js';
import { at, job, observed, pod, summarize, t0, withStatus } from './fixtures.js';

// The job runs its config's training stages (config.stages), in order, then evaluate: a baseline job has one
// training stage, a classifier-only job one, a BACL job two (common/api/stages.ts). Every stage, evaluate
// included, runs on spec.nodes pods (ADR 0029).

const nodes = 2;
const withStages = (stages: TrainingStageName[] | undefined) =>
  job({ nodes, config: { ...minimalSpec().config, ...(stages ? { stages } : {}) } });

/** Walks a job through its stages, every group succeeding at once; the stages it ran and the pods it created. */
function runThrough(stages: TrainingStageName[] | undefined): { ran: JobStage[]; created: string[][] } {
  let current = withStages(stages);
  let decision = decide(current, observed(), t0);
  const ran: JobStage[] = [];
  const created: string[][] = [];
  const done: ObservedPod[] = [];
  for (let step = 1; decision.status.state !== 'Succeeded' && step < 10; step++) {
    const stage = decision.status.stage!;
    ran.push(stage);
    created.push(summarize(decision.actions).filter((action) => action.startsWith('CreatePod')));
    for (let rank = 0; rank < nodes; rank++) done.push(pod(stage, 0, rank, 'Succeeded'));
    current = withStatus(current, decision);
    decision = decide(
      current,
      observed([...done], { results: { AP: 0.25, uri: 's3://bacl/runs/ml/lvis/uid-1/eval/metrics.json' } }),
      at(step * 10),
    );
  }
  return { ran, created };
}

describe('operator/reconcile/decide: the stages a job runs follow config.stages', function () {
  const table: { stages: TrainingStageName[] | undefined; ran: JobStage[]; pods: string[][] }[] = [
    {
      stages: ['representation', 'classifier'],
      ran: ['representation', 'classifier', 'evaluate'],
      pods: [
        ['CreatePod lvis-rep-0-0', 'CreatePod lvis-rep-0-1'],
        ['CreatePod lvis-cls-0-0', 'CreatePod lvis-cls-0-1'],
        ['CreatePod lvis-eval-0-0', 'CreatePod lvis-eval-0-1'],
      ],
    },
    {
      stages: ['baseline'],
      ran: ['baseline', 'evaluate'],
      pods: [
        ['CreatePod lvis-base-0-0', 'CreatePod lvis-base-0-1'],
        ['CreatePod lvis-eval-0-0', 'CreatePod lvis-eval-0-1'],
      ],
    },
    {
      stages: ['classifier'],
      ran: ['classifier', 'evaluate'],
      pods: [
        ['CreatePod lvis-cls-0-0', 'CreatePod lvis-cls-0-1'],
        ['CreatePod lvis-eval-0-0', 'CreatePod lvis-eval-0-1'],
      ],
    },
    {
      stages: undefined,
      ran: ['representation', 'classifier', 'evaluate'],
      pods: [
        ['CreatePod lvis-rep-0-0', 'CreatePod lvis-rep-0-1'],
        ['CreatePod lvis-cls-0-0', 'CreatePod lvis-cls-0-1'],
        ['CreatePod lvis-eval-0-0', 'CreatePod lvis-eval-0-1'],
      ],
    },
  ];
  for (const row of table) {
    it(`config.stages ${row.stages ? `[${row.stages.join(', ')}]` : 'absent'}: ${row.ran.join(' -> ')}`, function () {
      expect(jobStagesOf(row.stages)).to.deep.equal(row.ran);
      const { ran, created } = runThrough(row.stages);
      expect(ran).to.deep.equal(row.ran);
      expect(created).to.deep.equal(row.pods);
    });
  }

  it('names the stages it will run in the Created condition', function () {
    const decision = decide(withStages(['baseline']), observed(), t0);
    const created = decision.status.conditions?.find((c) => c.type === 'Created');
    expect(created?.message).to.equal('stages baseline, evaluate; 2 worker pod(s) x 1 GPU(s)');
    expect(decision.status.stage).to.equal('baseline');
  });

  it('a job whose config repeats a stage or names an unknown one is refused, naming spec.config.stages', function () {
    const invalid = (stages: unknown) => () =>
      parseBaclJob(
        minimalJob('lvis', { config: { ...minimalSpec().config, stages } as BaclJobSpecInput['config'] }),
      );
    expect(invalid(['representation', 'representation'])).to.throw(
      InvalidBaclJobError,
      /spec\.config\.stages/,
    );
    expect(invalid(['representation', 'representation'])).to.throw(/must not repeat a stage/);
    expect(invalid(['finetune'])).to.throw(InvalidBaclJobError, /spec\.config\.stages/);
    expect(invalid([])).to.throw(InvalidBaclJobError, /spec\.config\.stages/);
  });
});
