// metrics.json: the 13 LVIS numbers of `evaluateLvis` (data/eval, the evaluator `baclctl eval` runs), in the
// text `baclctl eval -o json` prints: lvis-api's key names in its order, full doubles (fractions in [0, 1],
// -1 where a metric is undefined). It must satisfy common/api's evaluationMetricsSchema, which the operator
// reads it with (the operator keeps the keys that schema names: AP, AP50, AP75, APs/m/l, APr/c/f).
import { evaluationMetricsSchema } from '../../common/index.js';
import { formatLvisMetrics, type LvisMetrics } from '../../data/index.js';
import { EvaluateError } from './eval-errors.js';

/** metrics.json's text; throws when a metric is not a finite number or the schema refuses the object. */
export function metricsJson(metrics: LvisMetrics): string {
  const text = formatLvisMetrics(metrics, 'json');
  const value = JSON.parse(text) as Record<string, unknown>;
  const bad = Object.entries(metrics).find(([, number]) => !Number.isFinite(number));
  const checked = evaluationMetricsSchema.safeParse(value);
  if (bad !== undefined || !checked.success) {
    const problem =
      bad !== undefined ? `${bad[0]} is ${String(bad[1])}` : (checked.error?.issues[0]?.message ?? 'invalid');
    throw new EvaluateError(
      `metrics.json would not validate: ${problem}; this is a bug in the evaluator, report it`,
    );
  }
  return text;
}

/** The kubelet keeps at most this many bytes of a termination message (the last ones). */
export const terminationMessageLimit = 4096;

/**
 * What the evaluate stage's rank 0 writes to its termination message (BACL_TERMINATION_LOG) for the operator's
 * status.results (ADR 0037): metrics.json's numbers as compact JSON, only the keys the operator keeps. About
 * 250 bytes; anything near the kubelet's 4096-byte cap would be cut, so it throws instead.
 */
export function terminationMetrics(metrics: LvisMetrics): string {
  const kept = evaluationMetricsSchema.parse(JSON.parse(metricsJson(metrics)));
  const text = JSON.stringify(kept);
  if (Buffer.byteLength(text) > terminationMessageLimit) {
    throw new EvaluateError(
      `the metrics are ${Buffer.byteLength(text)} bytes, over the ${terminationMessageLimit}-byte termination message; this is a bug, report it`,
    );
  }
  return text;
}
