import { expect } from 'chai';
import { evaluationMetricsSchema } from '../../../common/internal.js';
import type { LvisMetrics } from '../../../data/index.js';
import { metricsJson, terminationMessageLimit, terminationMetrics } from '../../../worker/internal.js';

/** The evaluate rank 0's termination message (ADR 0037): what the operator parses into status.results. */
describe('worker/runtime/eval-metrics: the termination message', function () {
  // Full doubles, the longest a metric prints (-1 for an undefined one included).
  const metrics = {
    AP: 0.2631491234567891,
    AP50: 0.4312345678901234,
    AP75: 0.2712345678901234,
    APs: 0.1712345678901234,
    APm: 0.3312345678901234,
    APl: 0.4012345678901234,
    APr: -1,
    APc: 0.2512345678901234,
    APf: 0.3012345678901234,
    AR300: 0.5,
    ARs300: 0.4,
    ARm300: 0.45,
    ARl300: 0.55,
  } as unknown as LvisMetrics;

  it("holds metrics.json's numbers for the keys the operator keeps, compact, far below the kubelet's 4096 bytes", function () {
    const text = terminationMetrics(metrics);
    const kept = evaluationMetricsSchema.parse(JSON.parse(metricsJson(metrics)));
    expect(JSON.parse(text) as unknown).to.deep.equal(kept);
    expect(Object.keys(JSON.parse(text) as object)).to.have.members([
      'AP',
      'AP50',
      'AP75',
      'APs',
      'APm',
      'APl',
      'APr',
      'APc',
      'APf',
    ]);
    expect(text).to.not.include('\n');
    expect(Buffer.byteLength(text)).to.be.below(terminationMessageLimit / 8);
  });

  it('refuses a non-finite metric, as metrics.json does', function () {
    expect(() => terminationMetrics({ ...metrics, AP: Number.NaN })).to.throw(
      /metrics.json would not validate: AP is NaN/,
    );
  });
});
