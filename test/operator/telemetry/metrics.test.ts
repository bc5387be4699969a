import { expect } from 'chai';
import { Counter, Gauge, Histogram, Registry, createLogger } from '../../../operator/internal.js';

describe('operator/telemetry', function () {
  it('renders counters, live gauges and histograms in the Prometheus text format', function () {
    const registry = new Registry();
    const counter = registry.register(new Counter('reconciles_total', 'Reconciles.'));
    counter.inc({ result: 'success' });
    counter.inc({ result: 'success' });
    counter.inc({ result: 'error' });
    let depth = 3;
    registry.register(new Gauge('depth', 'Queue depth.', () => [{ value: depth }]));
    const histogram = registry.register(new Histogram('seconds', 'Latency.', [0.1, 1]));
    histogram.observe(0.05);
    histogram.observe(0.5);
    depth = 4;
    expect(registry.render()).to.equal(
      [
        '# HELP reconciles_total Reconciles.',
        '# TYPE reconciles_total counter',
        'reconciles_total{result="success"} 2',
        'reconciles_total{result="error"} 1',
        '# HELP depth Queue depth.',
        '# TYPE depth gauge',
        'depth 4',
        '# HELP seconds Latency.',
        '# TYPE seconds histogram',
        'seconds_bucket{le="0.1"} 1',
        'seconds_bucket{le="1"} 2',
        'seconds_bucket{le="+Inf"} 2',
        'seconds_sum 0.55',
        'seconds_count 2',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values', function () {
    const counter = new Counter('c', 'C.');
    counter.inc({ job: 'a"b\\c\nd' });
    expect(counter.render()[2]).to.equal('c{job="a\\"b\\\\c\\nd"} 1');
  });

  it('logs in the kubebuilder voice: message, then structured fields, bound fields first', function () {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), now: () => new Date(0) }).with({
      job: 'ml/lvis',
    });
    logger.info('Created worker pod', { rank: 0, pod: 'lvis-rep-0-0' });
    logger.debug('Dropped below the level');
    expect(lines).to.deep.equal([
      '1970-01-01T00:00:00.000Z INFO Created worker pod {"job":"ml/lvis","rank":0,"pod":"lvis-rep-0-0"}\n',
    ]);
  });
});
