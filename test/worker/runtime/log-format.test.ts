import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { LvisMetrics } from '../../../data/index.js';
import {
  EtaEstimator,
  evalLogLine,
  lvisResultLines,
  pyExp,
  pyFixed,
  pyTimedelta,
  trainLogLine,
} from '../../../worker/internal.js';
import { lvisOracleManifest } from '../../harness/lvis-oracle.js';

const metrics: LvisMetrics = {
  AP: 0.2504,
  AP50: 0.41249,
  AP75: 0.2625,
  APs: 0.1875,
  APm: 0.3,
  APl: -1,
  APr: 0.0625,
  APc: 0.21,
  APf: 0.3009,
  'AR@300': 0.38,
  'ARs@300': 0.25,
  'ARm@300': 0.4,
  'ARl@300': -1,
};

describe('worker/runtime/log-format (pure)', function () {
  it("writes mmdet's epoch-based training line", function () {
    const line = trainLogLine({
      position: { by: 'epoch', epoch: 1, iter: 50, iters: 1000 },
      lr: 0.02,
      timing: { etaSeconds: 612.9, time: 0.5124, dataTime: 0.0116, memory: 3925 },
      values: [
        ['loss_rpn_cls', 0.06904],
        ['loss_rpn_bbox', 0.0357],
        ['loss_cls', 0.35412],
        ['acc', 90.41992],
        ['loss_bbox', 0.33181],
        ['loss', 0.79067],
      ],
    });
    expect(line).to.equal(
      'Epoch [1][50/1000]\tlr: 2.000e-02, eta: 0:10:12, time: 0.512, data_time: 0.012, memory: 3925, ' +
        'loss_rpn_cls: 0.0690, loss_rpn_bbox: 0.0357, loss_cls: 0.3541, acc: 90.4199, loss_bbox: 0.3318, ' +
        'loss: 0.7907',
    );
  });

  it('writes the iteration-based form, and leaves out what mmcv leaves out before steps are timed', function () {
    expect(
      trainLogLine({
        position: { by: 'iter', iter: 50, iters: 90000 },
        lr: 0.00133,
        timing: { etaSeconds: 90061, time: 1.25 },
        values: [['loss', 1.5]],
      }),
    ).to.equal('Iter [50/90000]\tlr: 1.330e-03, eta: 1 day, 1:01:01, time: 1.250, loss: 1.5000');
    expect(
      trainLogLine({
        position: { by: 'iter', iter: 1, iters: 10 },
        lr: 1e-4,
        values: [['loss', Number.NaN]],
      }),
    ).to.equal('Iter [1/10]\tlr: 1.000e-04, loss: nan');
  });

  it("estimates the eta as mmcv does, from the resumed start's mean step time", function () {
    const eta = new EtaEstimator(100); // resumed at step 100 of 1000
    expect(eta.update(0.5, 50, 150, 1000)).to.equal(425); // 25 s over 50 steps, 850 left
    expect(eta.update(1.5, 50, 200, 1000)).to.equal(800); // (25 + 75) / 100 * 800
    expect(eta.update(1, 0, 1000, 1000)).to.equal(0);
  });

  it("prints lvis-api's result lines and mmdet's validation line", function () {
    const lines = lvisResultLines(metrics);
    expect(lines[0]).to.equal(
      ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=300 catIds=all] = 0.250',
    );
    expect(lines[1]).to.equal(
      ' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=300 catIds=all] = 0.412',
    );
    expect(lines[6]).to.equal(
      ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=300 catIds=  r] = 0.062',
    );
    expect(lines[12]).to.equal(
      ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=     l | maxDets=300 catIds=all] = -1.000',
    );
    expect(evalLogLine(metrics, { by: 'epoch', epoch: 12, images: 5000 })).to.equal(
      'Epoch(val) [12][5000]\tbbox_AP: 0.2500, bbox_AP50: 0.4120, bbox_AP75: 0.2630, bbox_APs: 0.1880, ' +
        'bbox_APm: 0.3000, bbox_APl: -1.0000, bbox_APr: 0.0620, bbox_APc: 0.2100, bbox_APf: 0.3010, ' +
        'bbox_mAP_copypaste: AP:0.250 AP50:0.412 AP75:0.263 APs:0.188 APm:0.300 APl:-1.000 APr:0.062 APc:0.210 ' +
        'APf:0.301',
    );
    expect(evalLogLine(metrics, { by: 'iter', images: 40 })).to.match(
      /^Iter\(val\) \[40\]\tbbox_AP: 0\.2500, /,
    );
  });

  it('formats numbers as Python does, ties to even included (checked against python3 itself)', async function () {
    const values = [
      0.125, 0.375, 2.5, 3.5, -0.125, 0.0625, 1e-5, 0.00015, 0.02, 0.1, 0.7906, 123456.78125, 0, 9.9995,
      0.99995, 1.0005, 2.675, 1e-12, 5e-5, 1234567890.123,
    ];
    const fixed = values.flatMap((v) => [0, 2, 3, 4].map((d) => [v, d] as const));
    const exps = values.flatMap((v) => [0, 3].map((d) => [v, d] as const));
    const seconds = [0, 59.9, 61, 3599, 3600, 86_399, 86_400, 90_061, 172_800 + 5, 10 * 86_400 + 3723];
    const script = [
      'import sys, json, datetime, contextlib, io, types',
      'from collections import OrderedDict',
      '# lvis/__init__ imports its visualiser (cv2, matplotlib), which print_results does not use',
      "for name in ('cv2', 'matplotlib', 'matplotlib.pyplot', 'matplotlib.patches'):",
      '    module = types.ModuleType(name); module.Polygon = None; sys.modules.setdefault(name, module)',
      'from lvis.eval import LVISEval, Params',
      'q = json.load(sys.stdin)',
      'class E: pass',
      "e = E(); e.params = Params('bbox'); e.results = OrderedDict(q['metrics'])",
      'out = io.StringIO()',
      'with contextlib.redirect_stdout(out): LVISEval.print_results(e)',
      'print(json.dumps({',
      "  'fixed': [format(v, '.%df' % d) for v, d in q['fixed']],",
      "  'exp': [format(v, '.%de' % d) for v, d in q['exp']],",
      "  'td': [str(datetime.timedelta(seconds=int(s))) for s in q['td']],",
      "  'lines': out.getvalue().splitlines()}))",
    ].join('\n');
    const query = JSON.stringify({ fixed, exp: exps, td: seconds, metrics: Object.entries(metrics) });
    const run = promisify(execFile)(lvisOracleManifest().python, ['-c', script], { encoding: 'utf8' });
    run.child.stdin?.end(query);
    const python = JSON.parse((await run).stdout) as Record<string, string[]>;
    expect(fixed.map(([v, d]) => pyFixed(v, d))).to.deep.equal(python.fixed);
    expect(exps.map(([v, d]) => pyExp(v, d))).to.deep.equal(python.exp);
    expect(seconds.map(pyTimedelta)).to.deep.equal(python.td);
    expect(lvisResultLines(metrics)).to.deep.equal(python.lines);
    // JSON cannot carry -0; Python prints format(-0.0, '.2f') as '-0.00'.
    expect([pyFixed(-0, 2), pyExp(-0, 1)]).to.deep.equal(['-0.00', '-0.0e+00']);
  });
});
