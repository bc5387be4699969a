import { expect } from 'chai';
import type { RankReport } from '../../../common/index.js';
import { RankReports, silentLogger } from '../../../operator/internal.js';
import {
  callbackSink,
  discardSink,
  NatsProgressSink,
  openProgressSink,
  ProgressPublisher,
  ProgressReportError,
  RankReporter,
  validReport,
} from '../../../worker/internal.js';
import { sharedNats, waitFor } from '../../harness/index.js';

const at = (step: number) => ({ stage: 'representation' as const, step, totalSteps: 100 });

describe('worker/runtime/progress-publisher (pure)', function () {
  it('publishes the first step at once, then at most once per interval, and always at stage end', function () {
    const sent: RankReport[] = [];
    let clock = 1000;
    const publisher = new ProgressPublisher(
      callbackSink((report) => sent.push(report)),
      {
        intervalMs: 5000,
        now: () => clock,
      },
    );
    const published = [1, 2, 3, 4, 5].map((step) => {
      clock += 2500;
      return publisher.step({ ...at(step), loss: 1 / step });
    });
    expect(published).to.deep.equal([true, false, true, false, true]);
    publisher.checkpoint({
      stage: 'representation',
      step: 5,
      uri: 's3://b/ckpt-5',
      time: '2026-12-03T19:00:00Z',
    });
    clock += 1;
    publisher.stageEnd(at(100));
    expect(sent.map((report) => [report.kind, report.step])).to.deep.equal([
      ['progress', 1],
      ['progress', 3],
      ['progress', 5],
      ['checkpoint', 5],
      ['progress', 100],
    ]);
    expect(sent[0]).to.deep.equal({
      kind: 'progress',
      stage: 'representation',
      step: 1,
      totalSteps: 100,
      loss: 1,
    });
  });

  it('leaves non-finite numbers (a diverged loss) out of a report', function () {
    const sent: RankReport[] = [];
    new ProgressPublisher(callbackSink((report) => sent.push(report))).stageEnd({
      ...at(7),
      loss: Number.NaN,
      imagesPerSecond: Number.POSITIVE_INFINITY,
      etaSeconds: 3,
    });
    expect(sent).to.deep.equal([{ kind: 'progress', ...at(7), etaSeconds: 3 }]);
    expect(() => validReport(sent[0])).not.to.throw();
  });

  it('refuses a report the operator would drop, naming the field', function () {
    expect(() =>
      validReport({ kind: 'progress', stage: 'representation', step: -1, totalSteps: 3 }),
    ).to.throw(ProgressReportError, /'progress' report .*: step: /);
    expect(() =>
      validReport({ kind: 'checkpoint', stage: 'classifier', step: 4, uri: '/tmp/ckpt-4', time: 'now' }),
    ).to.throw(ProgressReportError, /uri: .*time: /);
    expect(() => validReport({ stage: 'representation' })).to.throw(
      ProgressReportError,
      /a malformed report/,
    );
  });

  it('only rank 0 reports; a local run hands reports to the given function', async function () {
    const group = { job: 'local/tiny', attempt: 0, worldSize: 2, localWorldSize: 2, nodeRank: 0 };
    const env = (rank: number) => ({
      namespace: 'local',
      jobName: 'tiny',
      group: { ...group, rank, localRank: rank },
    });
    const sent: RankReport[] = [];
    const local = callbackSink((report) => sent.push(report));
    expect(await openProgressSink(env(1), local)).to.equal(discardSink);
    expect(await openProgressSink(env(0))).to.equal(discardSink);
    (await openProgressSink(env(0), local)).send({ kind: 'progress', ...at(1) });
    expect(sent).to.have.length(1);
  });
  it("reports the evaluate stage as the group's images done of the val split's, rank 0 only", function () {
    const sent: RankReport[] = [];
    let clock = 0;
    const reporter = (rank: number) =>
      new RankReporter({
        rank,
        byEpoch: () => false,
        log: () => undefined,
        publisher: new ProgressPublisher(
          callbackSink((report) => sent.push(report)),
          { intervalMs: 5000, now: () => clock },
        ),
      });
    const [zero, one] = [reporter(0), reporter(1)];
    for (const [done, seconds] of [
      [0, 0],
      [40, 10],
      [80, 12],
      [120, 20],
      [200, 25],
    ] as const) {
      clock = seconds * 1000;
      for (const r of [zero, one]) r.evaluateProgress({ done, total: 200 }, seconds);
    }
    expect(sent).to.deep.equal([
      { kind: 'progress', stage: 'evaluate', step: 0, totalSteps: 200 },
      { kind: 'progress', stage: 'evaluate', step: 40, totalSteps: 200, imagesPerSecond: 4, etaSeconds: 40 },
      {
        kind: 'progress',
        stage: 'evaluate',
        step: 120,
        totalSteps: 200,
        imagesPerSecond: 6,
        etaSeconds: 80 / 6,
      },
      { kind: 'progress', stage: 'evaluate', step: 200, totalSteps: 200, imagesPerSecond: 8, etaSeconds: 0 },
    ]);
    for (const report of sent) expect(validReport(report), JSON.stringify(report)).to.not.equal(undefined);
  });
});

describe('worker/runtime/progress-publisher over NATS, read by the operator', function () {
  const job = `p${Date.now().toString(36)}`;
  let reports: RankReports;
  let publisher: ProgressPublisher | undefined;

  after(async function () {
    await publisher?.close();
    await reports?.close();
  });

  it("publishes on the job's subject in the format the operator's subscriber keeps", async function () {
    const nats = await sharedNats();
    const woken: string[] = [];
    reports = new RankReports({ logger: silentLogger, onReport: (key) => woken.push(key) });
    reports.watch('ml', job, nats.url);
    const sink = await openProgressSink({
      namespace: 'ml',
      jobName: job,
      group: {
        job: `ml/${job}`,
        attempt: 2,
        rank: 0,
        worldSize: 2,
        localRank: 0,
        localWorldSize: 1,
        nodeRank: 0,
        natsUrl: nats.url,
      },
    });
    expect(sink).to.be.instanceOf(NatsProgressSink);
    expect((sink as NatsProgressSink).subject).to.equal(`bacl.ml.${job}.2.progress`);
    publisher = new ProgressPublisher(sink, { intervalMs: 0 });
    // The operator subscribes asynchronously: report until it hears one.
    await waitFor('the subscription', () => {
      publisher?.step(at(1));
      return woken.length > 0;
    });
    publisher.step({ ...at(40), epoch: 2, imagesPerSecond: 12.5, loss: 0.75, etaSeconds: 60 });
    publisher.checkpoint({
      stage: 'representation',
      step: 40,
      uri: 's3://bacl/runs/ml/x/checkpoints/representation/ckpt-40',
      time: '2026-12-03T19:00:00.000Z',
    });
    const key = `ml/${job}`;
    const seen = await waitFor('both reports', () => {
      const latest = reports.reportsOf(key, 2);
      return latest.checkpoint && latest.progress?.step === 40 ? latest : undefined;
    });
    expect(seen).to.deep.equal({
      progress: {
        attempt: 2,
        stage: 'representation',
        epoch: 2,
        step: 40,
        totalSteps: 100,
        imagesPerSecond: 12.5,
        loss: 0.75,
        etaSeconds: 60,
      },
      checkpoint: {
        stage: 'representation',
        step: 40,
        uri: 's3://bacl/runs/ml/x/checkpoints/representation/ckpt-40',
        time: '2026-12-03T19:00:00.000Z',
      },
    });
  });
});
