// `baclctl run`'s progress (pure): a live line redrawn in place on a terminal, a plain line per report
// otherwise, and a line of its own ends the live one first.
import { expect } from 'chai';
import { progressText, RunProgress } from '../../cli/internal.js';

const report = {
  kind: 'progress' as const,
  stage: 'classifier' as const,
  step: 150,
  totalSteps: 300,
  loss: 0.41234,
  imagesPerSecond: 3.14,
  etaSeconds: 58,
};

describe('baclctl run progress (pure)', function () {
  it('says stage, step, loss, throughput and ETA, with the bar only on a terminal', function () {
    expect(progressText(report, false)).to.equal('classifier      150/300  loss 0.4123  3.1 img/s  ETA 58s');
    expect(progressText(report, true)).to.match(/^classifier\s+\[#{12}-{12}\] {2}150\/300 {2}loss 0\.4123/);
    expect(
      progressText(
        {
          kind: 'checkpoint',
          stage: 'classifier',
          step: 50,
          uri: 's3://b/ckpt-50',
          time: '2026-12-03T00:00:00Z',
        },
        true,
      ),
    ).to.equal('checkpoint s3://b/ckpt-50 (classifier, step 50)');
  });

  it('counts images in the evaluate stage', function () {
    const evaluate = { kind: 'progress' as const, stage: 'evaluate' as const, step: 120, totalSteps: 200 };
    expect(progressText({ ...evaluate, imagesPerSecond: 2, etaSeconds: 40 }, false)).to.equal(
      'evaluate        120/200 images  2.0 img/s  ETA 40s',
    );
    expect(progressText(evaluate, true)).to.match(/^evaluate\s+\[#{14}-{10}\] {2}120\/200 images$/);
  });

  it('redraws one line on a terminal and ends it before any other line', function () {
    let written = '';
    const progress = new RunProgress((text) => (written += text), true);
    progress.report(report);
    progress.report({ ...report, step: 151 });
    progress.line('Saved');
    progress.end();
    expect(written.split('\r\u001b[2K')).to.have.length(3);
    expect(written.endsWith('151/300  loss 0.4123  3.1 img/s  ETA 58s\nSaved\n')).to.equal(true);
  });

  it('writes a plain line per report elsewhere', function () {
    let written = '';
    const progress = new RunProgress((text) => (written += text), false);
    progress.report(report);
    progress.report({ ...report, step: 151 });
    progress.end();
    expect(written.split('\n')).to.have.length(3);
    expect(written).to.not.contain('\r');
  });
});
