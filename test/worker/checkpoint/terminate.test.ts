// The termination hook in-process, on SIGUSR2 so the test runner's own SIGTERM/SIGINT handling is untouched;
// resume.test.ts sends a real SIGTERM to a child process.
import { once } from 'node:events';
import { expect } from 'chai';
import { ExitCode } from '../../../common/index.js';
import { finalCheckpointMs, watchTermination } from '../../../worker/internal.js';

describe('finalCheckpointMs: the final checkpoint inside the pod grace period (ADR 0041)', function () {
  const rows: [graceSeconds: number, ms: number, why: string][] = [
    [30, 25_000, "Kubernetes' default: the 25 s a worker had before the grace period was a job setting"],
    [120, 115_000, 'the BaclJob default: 5 s kept to abort, log and exit'],
    [600, 595_000, 'the maximum'],
    [3, 2_500, 'a short grace keeps a sixth of it, not 5 s it does not have'],
    [1, 1000 - 1000 / 6, 'the minimum'],
  ];
  for (const [graceSeconds, ms, why] of rows) {
    it(`${graceSeconds} s gives ${Math.round(ms)} ms (${why})`, function () {
      expect(finalCheckpointMs(graceSeconds)).to.be.closeTo(ms, 1e-6);
      expect(finalCheckpointMs(graceSeconds)).to.be.below(graceSeconds * 1000);
    });
  }
});

describe('watchTermination', function () {
  const raise = async (watch: { requested: AbortSignal }) => {
    const aborted = once(watch.requested, 'abort');
    process.kill(process.pid, 'SIGUSR2');
    await aborted;
  };

  it('aborts `requested` with the signal and returns interrupted once the save is done', async function () {
    const watch = watchTermination({ signals: ['SIGUSR2'] });
    try {
      expect(watch.requested.aborted).to.equal(false);
      await raise(watch);
      expect(watch.requested.reason).to.equal('SIGUSR2');
      let saved = false;
      const code = await watch.checkpointBeforeExit(async (signal) => {
        expect(signal.aborted).to.equal(false);
        saved = true;
        await Promise.resolve();
      });
      expect(saved).to.equal(true);
      expect(code).to.equal(ExitCode.interrupted);
    } finally {
      watch.dispose();
    }
  });

  it('aborts the save on a second signal or the deadline, and reports failure', async function () {
    const watch = watchTermination({ signals: ['SIGUSR2'], graceMs: 60_000 });
    try {
      await raise(watch);
      const code = await watch.checkpointBeforeExit(async (signal) => {
        process.kill(process.pid, 'SIGUSR2');
        await once(signal, 'abort');
        expect(String(signal.reason)).to.contain('second SIGUSR2');
        signal.throwIfAborted();
      });
      expect(code).to.equal(ExitCode.failure);
    } finally {
      watch.dispose();
    }
    const late = watchTermination({ signals: ['SIGUSR2'], graceMs: 50 });
    try {
      const code = await late.checkpointBeforeExit(async (signal) => {
        await once(signal, 'abort');
        expect(String(signal.reason)).to.contain('longer than 50 ms');
        signal.throwIfAborted();
      });
      expect(code).to.equal(ExitCode.failure);
    } finally {
      late.dispose();
    }
  });

  it('removes its handlers on dispose', function () {
    const before = process.listenerCount('SIGUSR2');
    const watch = watchTermination({ signals: ['SIGUSR2'] });
    expect(process.listenerCount('SIGUSR2')).to.equal(before + 1);
    watch.dispose();
    expect(process.listenerCount('SIGUSR2')).to.equal(before);
  });
});
