import { expect } from 'chai';
import { JobsApi, followJobs, type JobEvent, type SyncedEvent } from '../../../cli/internal.js';
import { waitFor } from '../../harness/index.js';
import { cliKube, type CliKube } from '../kube-fixture.js';
import { runningStatus } from '../statuses.js';

describe('cli/kube/watch-jobs: followJobs (real kube-apiserver)', function () {
  this.timeout(120_000);
  let kube: CliKube;

  before(async function () {
    kube = await cliKube('cli-watch');
    await kube.createJob('quiet');
    await kube.createJob('other');
  });

  it('lists, then reports changes across watch renewals without repeating what it saw', async function () {
    const abort = new AbortController();
    let renewals = 0;
    const seen: (JobEvent | SyncedEvent)[] = [];
    const events = followJobs(kube.cluster.kubeConfig(), new JobsApi(kube.cluster.kubeConfig()), {
      namespace: kube.namespace,
      name: 'quiet',
      signal: abort.signal,
      watchSeconds: 1, // the server ends each watch after 1 s: renewals happen while the job is quiet
      onRenew: () => (renewals += 1),
    });
    const consuming = (async () => {
      for await (const event of events) seen.push(event);
    })();
    await waitFor('two watch renewals', () => renewals >= 2, { timeoutMs: 60_000, intervalMs: 50 });
    await kube.writeStatus('quiet', runningStatus(100));
    await waitFor('a MODIFIED event', () => seen.some((event) => event.type === 'MODIFIED'), {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    abort.abort();
    await consuming;
    const summary = seen.map((event) =>
      event.type === 'SYNCED'
        ? 'SYNCED'
        : `${event.type} ${event.job.metadata.name} ${event.job.status?.state ?? '-'}`,
    );
    // One list (the field selector leaves 'other' out), no relist, no repeat of the first version.
    expect(summary).to.deep.equal(['ADDED quiet -', 'SYNCED', 'MODIFIED quiet Running']);
  });
});
