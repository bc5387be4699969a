import { expect } from 'chai';
import type { BaclJob } from '../../../common/index.js';
import {
  parseDuration,
  describeProgress,
  progressBar,
  ProgressView,
  parseWaitTarget,
} from '../../../cli/internal.js';
import { runningStatus } from '../statuses.js';

const job = (status?: BaclJob['status']): BaclJob =>
  ({ metadata: { name: 'j' }, ...(status ? { status } : {}) }) as BaclJob;

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, sink: { isTTY, columns: 120, write: (text: string) => void writes.push(text) } };
}

describe('cli/wait: progress view, --for and --timeout parsing', function () {
  it('describes stage, epoch, step, percent, images/s, loss and ETA', function () {
    expect(describeProgress(job(runningStatus()))).to.equal(
      'Running classifier epoch 3 step 420/1000 42% 312.5 img/s loss 0.8123 ETA 12m',
    );
    expect(describeProgress(job())).to.equal('Pending');
    const evaluating = {
      ...runningStatus(),
      progress: { stage: 'evaluate' as const, step: 120, totalSteps: 200, percent: 60, summary: '60%' },
    };
    expect(describeProgress(job(evaluating))).to.equal('Running evaluate images 120/200 60%');
  });

  it('leaves the bar out, then cuts the line, when the terminal is narrow', function () {
    const writes: string[] = [];
    new ProgressView({ isTTY: true, columns: 40, write: (text) => void writes.push(text) }, 'j').update(
      job(runningStatus(420)),
    );
    expect(writes[0]?.slice(5)).to.equal('j Running classifier e3 420/1000 42% ET');
  });

  it('draws a bar of the given width', function () {
    expect(progressBar(42, 10)).to.equal('[####------]');
    expect(progressBar(150, 4)).to.equal('[####]');
  });

  it('on a TTY redraws one line in place (carriage return, erase line) and ends it on finish', function () {
    const { writes, sink } = recorder(true);
    const view = new ProgressView(sink, 'j');
    view.update(job(runningStatus(420)));
    view.update(job(runningStatus(420))); // unchanged: nothing drawn
    view.update(job(runningStatus(430)));
    view.finish();
    expect(writes).to.have.length(3);
    expect(writes[0]?.startsWith('\r\u001b[2K')).to.equal(true); // back to column 0, erase the line
    expect(writes[0]?.slice(5)).to.equal(
      `j ${progressBar(42, 30)} Running classifier e3 420/1000 42% ETA 12m loss 0.8123 312.5 img/s`,
    );
    expect(writes[1]).to.contain(' 430/1000 ');
    expect(writes[2]).to.equal('\n');
  });

  it('without a TTY writes a plain line per change and no control characters', function () {
    const { writes, sink } = recorder(false);
    const view = new ProgressView(sink, 'j');
    view.update(job());
    view.update(job(runningStatus(420)));
    view.update(job(runningStatus(420)));
    view.finish();
    expect(writes).to.deep.equal([
      'j: Pending\n',
      'j: Running classifier epoch 3 step 420/1000 42% 312.5 img/s loss 0.8123 ETA 12m\n',
    ]);
  });

  it('parses --for like kubectl wait', function () {
    expect(parseWaitTarget('Succeeded')).to.include({ type: 'Succeeded', status: 'True' });
    expect(parseWaitTarget('condition=Running')).to.include({ type: 'Running', status: 'True' });
    expect(parseWaitTarget('condition=Suspended=false')).to.include({ type: 'Suspended', status: 'False' });
    for (const bad of ['Done', 'condition=', 'Succeeded=False', 'condition=Running=maybe']) {
      expect(() => parseWaitTarget(bad), bad).to.throw('is not a condition a BaclJob has');
    }
  });

  it('parses --timeout as Go durations (a bare number is seconds)', function () {
    expect(parseDuration('90s', '--timeout')).to.equal(90_000);
    expect(parseDuration('1h30m', '--timeout')).to.equal(5_400_000);
    expect(parseDuration('2', '--timeout')).to.equal(2_000);
    expect(parseDuration('0', '--timeout')).to.equal(0);
    expect(() => parseDuration('soon', '--timeout')).to.throw('--timeout=soon is not a duration');
    expect(() => parseDuration('5m3', '--timeout')).to.throw('is not a duration');
  });
});
