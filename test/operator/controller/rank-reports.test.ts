import { expect } from 'chai';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { progressSubject } from '../../../common/index.js';
import { RankReports, silentLogger } from '../../../operator/internal.js';
import { sharedNats } from '../../harness/index.js';
import { waitFor } from './env.js';

/** The progress subscriber against a real nats-server: latest report per attempt, stale and bad ones ignored. */
describe('operator/controller/rank-reports', function () {
  let publisher: NatsConnection;
  let reports: RankReports;
  const woken: string[] = [];
  const job = `j${Date.now().toString(36)}`;

  before(async function () {
    const nats = await sharedNats();
    publisher = await connect({ servers: nats.url });
    reports = new RankReports({ logger: silentLogger, onReport: (key) => woken.push(key) });
    reports.watch('ml', job, nats.url);
    // The subscription is made asynchronously: publish until the first report arrives.
    await waitFor('the subscription', async () => {
      publish(0, { kind: 'progress', stage: 'representation', step: 1, totalSteps: 10 });
      await publisher.flush();
      return woken.length > 0;
    });
  });
  after(async function () {
    await reports?.close();
    await publisher?.close();
  });

  const publish = (attempt: number, message: unknown) =>
    publisher.publish(progressSubject('ml', job, attempt), JSON.stringify(message));

  it('keeps the newest attempt only, and checkpoints across attempts', async function () {
    publish(1, { kind: 'progress', stage: 'representation', step: 5, totalSteps: 10, loss: 0.5 });
    publish(1, {
      kind: 'checkpoint',
      stage: 'representation',
      step: 4,
      uri: 's3://b/ckpt-4',
      time: '2026-11-25T10:00:00Z',
    });
    publish(0, { kind: 'progress', stage: 'representation', step: 9, totalSteps: 10 }); // a dead group, late
    publish(1, { kind: 'progress', stage: 'representation', step: -1, totalSteps: 10 }); // malformed
    publisher.publish(progressSubject('ml', job, 1), 'not json');
    await publisher.flush();
    const key = `ml/${job}`;
    const seen = await waitFor('the checkpoint', () =>
      Promise.resolve(reports.reportsOf(key, 1).checkpoint ? reports.reportsOf(key, 1) : undefined),
    );
    expect(seen.progress).to.deep.equal({
      attempt: 1,
      stage: 'representation',
      step: 5,
      totalSteps: 10,
      loss: 0.5,
    });
    expect(seen.checkpoint).to.deep.equal({
      stage: 'representation',
      step: 4,
      uri: 's3://b/ckpt-4',
      time: '2026-11-25T10:00:00Z',
    });
    expect(reports.reportsOf(key, 0).progress, 'attempt 0 was superseded').to.equal(undefined);
    reports.unwatch(key);
    expect(reports.reportsOf(key, 1)).to.deep.equal({});
  });
});
