import { expect } from 'chai';
import { formatLvisMetrics, LVIS_METRIC_KEYS, type LvisMetrics } from '../../../data/internal.js';

const metrics: LvisMetrics = {
  AP: 0.25,
  AP50: 0.5,
  AP75: 0.125,
  APs: 0.1,
  APm: 0.2,
  APl: 0.3,
  APr: -1,
  APc: 0.0125,
  APf: 0.9999999999999998,
  'AR@300': 0.4,
  'ARs@300': 0.41,
  'ARm@300': 0.42,
  'ARl@300': -1,
};

describe('data/eval format', function () {
  it('prints JSON with exactly the official key names, in get_results() order, values untouched', function () {
    const text = formatLvisMetrics({ ...metrics, AP: 0.25 }, 'json');
    expect(text.endsWith('\n')).to.equal(true);
    const parsed = JSON.parse(text) as Record<string, number>;
    expect(Object.keys(parsed)).to.deep.equal([...LVIS_METRIC_KEYS]);
    expect(parsed).to.deep.equal(metrics);
  });

  it('prints a table with the r/c/f split on its own row and "-" for undefined', function () {
    expect(formatLvisMetrics(metrics, 'table')).to.equal(
      [
        'AP                 AP  25.0      AP50  50.0      AP75  12.5',
        'by size           APs  10.0       APm  20.0       APl  30.0',
        'by frequency      APr     -       APc   1.3       APf 100.0',
        'recall         AR@300  40.0   ARs@300  41.0   ARm@300  42.0   ARl@300     -',
        '',
      ].join('\n'),
    );
  });
});
