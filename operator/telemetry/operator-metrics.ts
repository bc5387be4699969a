import { jobStates } from '../../common/index.js';
import { Counter, Gauge, Histogram, Registry } from './metrics.js';

// The operator's series. Gauges read live sources at scrape time (the queue, the job cache), which the
// controller attaches once it has them; before that they report nothing rather than a wrong zero.

export interface MetricSources {
  queueDepth(): number;
  inFlight(): number;
  /** Current state of every cached job (status.state, 'Pending' when unset). */
  jobStates(): Iterable<string>;
  progressSubscriptions(): number;
}

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = this.registry.register(
    new Counter('bacl_operator_reconcile_total', 'Reconciles of BaclJob keys, by result (success, error).'),
  );
  readonly reconcileSeconds = this.registry.register(
    new Histogram(
      'bacl_operator_reconcile_duration_seconds',
      'Time one reconcile took, in seconds.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
  );
  private sources: MetricSources | undefined;
  private leading = false;

  constructor() {
    const live =
      <T>(read: (sources: MetricSources) => T[]) =>
      () =>
        this.sources ? read(this.sources) : [];
    this.registry.register(
      new Gauge(
        'bacl_operator_workqueue_depth',
        'Job keys waiting for a worker.',
        live((s) => [{ value: s.queueDepth() }]),
      ),
    );
    this.registry.register(
      new Gauge(
        'bacl_operator_workqueue_in_flight',
        'Job keys being reconciled now.',
        live((s) => [{ value: s.inFlight() }]),
      ),
    );
    this.registry.register(
      new Gauge(
        'bacl_operator_jobs',
        'BaclJobs in the cache, by status.state.',
        live((s) => {
          const counts = new Map<string, number>(jobStates.map((state) => [state, 0]));
          for (const state of s.jobStates()) counts.set(state, (counts.get(state) ?? 0) + 1);
          return [...counts].map(([state, value]) => ({ labels: { state }, value }));
        }),
      ),
    );
    this.registry.register(
      new Gauge(
        'bacl_operator_progress_subscriptions',
        'Jobs whose NATS progress subject is subscribed.',
        live((s) => [{ value: s.progressSubscriptions() }]),
      ),
    );
    this.registry.register(
      new Gauge(
        'bacl_operator_leader',
        'Whether this instance holds the leader Lease (1) or not (0).',
        () => [{ value: this.leading ? 1 : 0 }],
      ),
    );
  }

  attach(sources: MetricSources | undefined): void {
    this.sources = sources;
  }

  setLeader(leading: boolean): void {
    this.leading = leading;
  }
}
