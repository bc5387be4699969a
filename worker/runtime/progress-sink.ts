// Where rank 0's reports go (common/api/progress.ts): the job's NATS subject `bacl.<ns>.<job>.<attempt>.progress`
// that the operator subscribes to (operator/controller/rank-reports.ts), or a function in this process for
// `baclctl run` (its progress bar), with no NATS. Reports leaving the process are validated first: a report the
// operator would drop is a bug here, not a silent gap in status.
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { jobInboxPrefix, progressSubject, rankReportSchema, type RankReport } from '../../common/index.js';
import { NATS_DEFAULTS } from '../collective/nats-collective.js';
import { closeWithin, connectRetrying, unreachableLine } from '../collective/nats-connect.js';
import type { RankEnv } from './rank-env.js';

export interface ProgressSink {
  /** Delivers one report; never blocks on the network (NATS buffers, close() flushes). */
  send(report: RankReport): void;
  /** Delivers what is buffered and releases the sink. */
  close(): Promise<void>;
}

/** A report that fails common/api's rankReportSchema (a bug in the caller): names the field and the problem. */
export class ProgressReportError extends Error {
  override readonly name = 'ProgressReportError';
  constructor(
    readonly report: unknown,
    problem: string,
  ) {
    super(`refused to publish a ${describeKind(report)} report the operator would drop: ${problem}`);
  }
}

function describeKind(report: unknown): string {
  const kind = (report as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? `'${kind}'` : 'malformed';
}

/** Checks `report` against rankReportSchema; returns the parsed report or throws ProgressReportError. */
export function validReport(report: unknown): RankReport {
  const parsed = rankReportSchema.safeParse(report);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(report)'}: ${issue.message}`,
  );
  throw new ProgressReportError(report, problems.join('; '));
}

export interface NatsProgressSinkOptions {
  /** NATS_URL (one or several servers, comma-separated). */
  servers: string;
  /** NATS_CREDS: a credentials file. */
  credsFile?: string;
  namespace: string;
  job: string;
  attempt: number;
  /** Told once when the server is not reachable yet. */
  log?: (line: string) => void;
}

/** Publishes validated reports as JSON on the job's progress subject. */
export class NatsProgressSink implements ProgressSink {
  readonly subject: string;

  private constructor(
    private readonly nc: NatsConnection,
    options: NatsProgressSinkOptions,
  ) {
    this.subject = progressSubject(options.namespace, options.job, options.attempt);
  }

  static async connect(options: NatsProgressSinkOptions): Promise<NatsProgressSink> {
    const credentials = options.credsFile ? readFileSync(options.credsFile) : undefined;
    // A server not up yet (restarted): tried again as the collective's connection is (nats-connect.ts).
    const nc = await connectRetrying(
      () =>
        connect({
          servers: options.servers.split(','),
          name: `bacl ${options.namespace}/${options.job} attempt ${options.attempt} progress`,
          ...(credentials ? { authenticator: credsAuthenticator(credentials) } : {}),
          inboxPrefix: jobInboxPrefix(options.namespace, options.job),
          // Progress is for people: reconnect for as long as the job runs; messages published meanwhile are
          // buffered.
          reconnect: true,
          maxReconnectAttempts: -1,
        }),
      {
        withinMs: NATS_DEFAULTS.connectWithinMs,
        onRetry: (error, tries) => {
          if (tries === 1)
            options.log?.(unreachableLine(options.servers, error, NATS_DEFAULTS.connectWithinMs));
        },
      },
    );
    return new NatsProgressSink(nc, options);
  }

  send(report: RankReport): void {
    this.nc.publish(this.subject, JSON.stringify(validReport(report)));
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    await closeWithin(this.nc, () => this.nc.drain());
  }
}

/** Hands each report to `onReport` in this process (no validation: nothing leaves the process). */
export function callbackSink(onReport: (report: RankReport) => void): ProgressSink {
  return { send: onReport, close: () => Promise.resolve() };
}

/** Drops every report: what ranks other than 0 use. */
export const discardSink: ProgressSink = { send: () => undefined, close: () => Promise.resolve() };

/**
 * The sink a rank reports to: rank 0 of a group with NATS_URL publishes on the job's subject; rank 0 of a local
 * run (no NATS) reports to `local` when given (callbackSink in-process, launcherSink from a forked rank); every
 * other rank discards its reports.
 */
export async function openProgressSink(
  env: Pick<RankEnv, 'namespace' | 'jobName' | 'group'>,
  local?: ProgressSink,
  /** Told once when the NATS server is not reachable yet. */
  log?: (line: string) => void,
): Promise<ProgressSink> {
  const { group } = env;
  if (group.rank !== 0) return discardSink;
  if (group.natsUrl === undefined) return local ?? discardSink;
  return NatsProgressSink.connect({
    servers: group.natsUrl,
    ...(group.natsCreds ? { credsFile: group.natsCreds } : {}),
    namespace: env.namespace,
    job: env.jobName,
    attempt: group.attempt,
    ...(log ? { log } : {}),
  });
}
