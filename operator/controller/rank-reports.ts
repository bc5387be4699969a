import { connect, credsAuthenticator, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  parseProgressSubject,
  progressSubject,
  rankReportSchema,
  type CheckpointRef,
} from '../../common/index.js';
import type { ProgressReport } from '../reconcile/types.js';
import type { Logger } from '../telemetry/logger.js';
import { describe } from './errors.js';

// Subscribes to each running job's progress subject (`bacl.<ns>.<job>.*.progress`) and keeps the latest report
// per job and attempt, for the reconciler to fold into status. It never writes status itself: it asks for a
// reconcile, and the controller rate-limits those (one per job per progress interval), so a chatty rank 0
// costs at most one status write per interval. Reports are not replayed: after an operator restart the status
// keeps the last written progress until the ranks' next report (a few seconds).

export interface RankReportsOptions {
  logger: Logger;
  /** Told `namespace/name` of a job with a new report. */
  onReport: (key: string) => void;
  /** How to reach a NATS server; tests and the benchmark may share one connection. */
  connectTo?: (url: string) => Promise<NatsConnection>;
  /** The operator's credentials file for a server, read at each (re)connect; undefined: connect without. */
  credentialsFor?: (url: string) => (() => Uint8Array) | undefined;
}

interface Latest {
  /** Highest attempt heard from, and its latest progress: an older group's late message never wins. */
  attempt: number;
  progress?: ProgressReport;
  checkpoint?: CheckpointRef;
}

export class RankReports {
  private readonly connections = new Map<string, Promise<NatsConnection>>();
  private readonly subscriptions = new Map<string, { url: string; subscription?: Subscription }>();
  private readonly latest = new Map<string, Latest>();
  private closed = false;

  constructor(private readonly options: RankReportsOptions) {}

  /** Makes sure the job's progress subject is subscribed on `natsUrl` (idempotent; called on every reconcile). */
  watch(namespace: string, job: string, natsUrl: string): void {
    const key = `${namespace}/${job}`;
    const current = this.subscriptions.get(key);
    if (this.closed || current?.url === natsUrl) return;
    if (current) this.unwatch(key);
    const entry: { url: string; subscription?: Subscription } = { url: natsUrl };
    this.subscriptions.set(key, entry);
    void this.connection(natsUrl).then(
      (connection) => {
        if (this.subscriptions.get(key) !== entry) return; // unwatched meanwhile
        entry.subscription = connection.subscribe(progressSubject(namespace, job, '*'), {
          callback: (error, message) => {
            if (error) return;
            this.receive(key, message.subject, message.data);
          },
        });
      },
      (error: unknown) => {
        // Progress is for people; the job runs without it. The next reconcile tries again.
        this.subscriptions.delete(key);
        this.options.logger.error('Failed to subscribe to progress', {
          job: key,
          nats: natsUrl,
          error: describe(error),
        });
      },
    );
  }

  unwatch(key: string): void {
    this.subscriptions.get(key)?.subscription?.unsubscribe();
    this.subscriptions.delete(key);
    this.latest.delete(key);
  }

  /** The latest progress of `attempt` and the newest checkpoint heard of, for Observed. */
  reportsOf(key: string, attempt: number): { progress?: ProgressReport; checkpoint?: CheckpointRef } {
    const latest = this.latest.get(key);
    if (!latest) return {};
    return {
      ...(latest.attempt === attempt && latest.progress ? { progress: latest.progress } : {}),
      ...(latest.checkpoint ? { checkpoint: latest.checkpoint } : {}),
    };
  }

  get watching(): number {
    return this.subscriptions.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const connections = [...this.connections.values()];
    this.connections.clear();
    this.subscriptions.clear();
    await Promise.all(connections.map((pending) => pending.then((c) => c.close()).catch(() => undefined)));
  }

  private receive(key: string, subject: string, data: Uint8Array): void {
    const parsed = parseProgressSubject(subject);
    let report;
    try {
      report = parsed && rankReportSchema.safeParse(JSON.parse(new TextDecoder().decode(data)));
    } catch {
      report = undefined;
    }
    if (!parsed || !report?.success) {
      this.options.logger.debug('Ignored a malformed progress message', { job: key, subject });
      return;
    }
    const latest = this.latest.get(key) ?? { attempt: parsed.attempt };
    if (parsed.attempt < latest.attempt) return;
    if (parsed.attempt > latest.attempt) {
      latest.attempt = parsed.attempt;
      delete latest.progress;
    }
    const message = report.data;
    if (message.kind === 'progress') {
      const { kind: _kind, ...fields } = message;
      latest.progress = { attempt: parsed.attempt, ...fields };
    } else {
      const { kind: _kind, ...checkpoint } = message;
      latest.checkpoint = checkpoint;
    }
    this.latest.set(key, latest);
    this.options.onReport(key);
  }

  private connection(url: string): Promise<NatsConnection> {
    let pending = this.connections.get(url);
    if (!pending) {
      // Reconnecting for as long as the operator runs: the client's default (10 tries, 2 s apart) would leave a
      // closed connection here after a NATS outage of 20 s, and every job on it without progress until restart.
      const creds = this.options.credentialsFor?.(url);
      const connectTo =
        this.options.connectTo ??
        ((servers: string) =>
          connect({
            servers,
            name: 'bacl-operator',
            maxReconnectAttempts: -1,
            ...(creds ? { authenticator: credsAuthenticator(creds) } : {}),
          }));
      pending = connectTo(url);
      this.connections.set(url, pending);
      pending.catch(() => this.connections.delete(url));
    }
    return pending;
  }
}
