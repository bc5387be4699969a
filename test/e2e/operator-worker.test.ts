// Issue #13's and #16's end-to-end test: `baclctl submit tiny --nodes 2 --gpus 1 --wait` against the harness (a
// real kube-apiserver, the test pod runner as scheduler and kubelet, nats-server, the versitygw S3 server), with
// the operator as a process of its own and the real bacl-worker in every pod (not a stand-in command). The tiny
// config's synthetic dataset is prepared into S3 with `baclctl data prepare`, as users do; the schedule is cut
// to a few steps per stage (test/e2e/fixture: microSchedule) so the whole job (two 2-rank training stages over
// NATS, then a 2-rank evaluate) runs in a minute on two loaded cores. This run is the fixture's reference run,
// the one the fault tests compare with. Checked: the job Succeeds, `kubectl get bacljobs` says so with its AP,
// status.results holds AP, and those figures are what `baclctl eval` computes on the detections the job left
// in S3 against the val ground truth.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { expect } from 'chai';
import { packageRoot } from '../../common/index.js';
import type { LvisMetrics } from '../../data/index.js';
import { makeWorkDir } from '../harness/index.js';
import { stateOf } from '../operator/controller/env.js';
import {
  e2eWorld,
  getObjectText,
  listKeys,
  referenceRun,
  runPrefix,
  stageSteps,
  type E2eWorld,
  type ReferenceRun,
} from './fixture/index.js';

// No import.meta here: it would make this file ESM-only under tsx, with its own copy of the harness module whose
// shared servers the root hooks (loaded as CommonJS) then never stop.
const root = packageRoot();

describe('e2e: baclctl submit tiny --nodes 2 --gpus 1 --wait, the operator process and the real bacl-worker', function () {
  this.timeout(1_500_000);
  let w: E2eWorld;
  let run: ReferenceRun;

  before(async function () {
    w = await e2eWorld();
    run = await referenceRun();
  });

  it('reaches Succeeded with AP in status, equal to `baclctl eval` on the detections left in S3', async function () {
    const { job, submitted, name } = run;
    const context = `${JSON.stringify(stateOf(job), null, 2)}\n${submitted.stderr.slice(-2000)}`;
    expect(submitted.error, context).to.equal(undefined);
    expect(submitted.stderr.trim().split('\n').at(-1)).to.match(new RegExp(`^${name}: Succeeded`));

    // Two training stages and the evaluate stage, each of two pods (one rank each, WORLD_SIZE 2 over NATS).
    const pods = await run.system.pods(name);
    expect(pods.map((pod) => `${pod.metadata?.name} ${pod.status?.phase}`).sort()).to.deep.equal([
      `${name}-cls-0-0 Succeeded`,
      `${name}-cls-0-1 Succeeded`,
      `${name}-eval-0-0 Succeeded`,
      `${name}-eval-0-1 Succeeded`,
      `${name}-rep-0-0 Succeeded`,
      `${name}-rep-0-1 Succeeded`,
    ]);

    // The run prefix: a checkpoint per training stage (latest.json written last), the evaluate stage's output.
    const run_ = runPrefix(job);
    const keys = await listKeys(w, run_);
    expect(keys).to.include.members([
      'checkpoints/representation/ckpt-3/manifest.json', // checkpoint.every_steps=3 reached the ranks
      'checkpoints/representation/latest.json',
      'checkpoints/classifier/latest.json',
      'eval/detections.json',
      'eval/metrics.json',
    ]);
    expect(
      keys.filter((key) => key.startsWith('eval/parts/')),
      "rank 0 removes the ranks' parts after the merge",
    ).to.deep.equal([]);
    expect(job.status?.lastCheckpoint, 'rank 0 reported its checkpoints on NATS').to.include({
      stage: 'classifier',
      step: stageSteps.classifier,
    });
    expect(run.final).to.include({ stage: 'classifier', step: stageSteps.classifier });

    // status.results: the metrics.json the evaluate stage wrote, which `baclctl eval` reproduces exactly.
    const results = job.status?.results;
    expect(results?.AP, JSON.stringify(results)).to.be.a('number').within(0, 1);
    expect(results?.uri).to.equal(`s3://${w.bucket}/${run_}/eval/metrics.json`);
    const detections = join(makeWorkDir('e2e-eval'), 'detections.json');
    writeFileSync(detections, await getObjectText(w, `${run_}/eval/detections.json`));
    const evaluated = await runCommand(
      ['eval', '--gt', w.valAnnotations, '--results', detections, '-o', 'json'],
      { root },
    );
    expect(evaluated.error).to.equal(undefined);
    const metrics = JSON.parse(evaluated.stdout) as LvisMetrics;
    expect(JSON.parse(await getObjectText(w, `${run_}/eval/metrics.json`))).to.deep.equal(metrics);
    for (const key of ['AP', 'AP50', 'AP75', 'APr', 'APc', 'APf'] as const) {
      expect(results?.[key], key).to.be.closeTo(metrics[key], 5e-5);
    }
  });

  it('`kubectl get bacljobs` shows the job Succeeded with its AP', async function () {
    const { job, name } = run;
    const listed = await w.cluster.kubectl(['get', 'bacljobs', '-n', run.system.namespace]);
    expect(listed.code, listed.stderr).to.equal(0);
    const [header = '', ...rows] = listed.stdout.trimEnd().split('\n');
    // Columns are padded to the header's positions; a cell may hold spaces (the progress summary).
    const starts = [...header.matchAll(/\S+/g)].map((match) => ({ name: match[0], at: match.index }));
    expect(starts.map((column) => column.name)).to.include.members(['NAME', 'STATE', 'AP']);
    expect(rows).to.have.length(1);
    const cells = Object.fromEntries(
      starts.map((column, i) => [column.name, rows[0]!.slice(column.at, starts[i + 1]?.at).trim()]),
    );
    expect(cells.NAME).to.equal(name);
    expect(cells.STATE).to.equal('Succeeded');
    expect(Number(cells.AP)).to.equal(job.status?.results?.AP);
  });
});
