import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { runController, type ControllerOptions } from '../controller/controller.js';
import { describe } from '../controller/errors.js';
import { NatsUserMinter } from '../nats/job-user.js';
import { runAsLeader } from '../leader/lease.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { OperatorMetrics } from '../telemetry/operator-metrics.js';
import { parseAddress, type OperatorFlags } from './flags.js';
import { serve, type HttpEndpoint } from './http.js';

// The bacl-operator process: HTTP endpoints, optional leader election, and the controller, all stopped by one
// AbortSignal (SIGTERM). Returns when everything has stopped; rejects only on a failure that should restart
// the process (leadership lost).

export interface OperatorRuntime {
  signal: AbortSignal;
  /** Where log lines go. @default process.stderr */
  writeLog?: (line: string) => void;
  /** Told the bound addresses once the endpoints listen (tests bind port 0). */
  onListening?: (endpoints: { metrics?: HttpEndpoint; health?: HttpEndpoint }) => void;
  /** Test-only controller settings (short grace periods, a stand-in worker command). */
  controller?: Partial<
    Pick<
      ControllerOptions,
      'terminatingGraceSeconds' | 'progressIntervalMs' | 'workerCommand' | 'connectNats'
    >
  >;
  /** Lease timings for tests. */
  lease?: { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  identity?: string;
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export async function runOperator(flags: OperatorFlags, runtime: OperatorRuntime): Promise<void> {
  const logger = createLogger({ level: flags.logLevel, write: runtime.writeLog });
  const kubeConfig = new KubeConfig();
  if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
  else kubeConfig.loadFromDefault();
  const metrics = new OperatorMetrics();
  const identity = runtime.identity ?? `${hostname()}_${randomUUID().slice(0, 8)}`;
  const { signal } = runtime;
  const nats = natsOptions(flags);

  const endpoints = await startEndpoints(flags, metrics, signal);
  runtime.onListening?.(endpoints);
  logger.info('Started bacl-operator', {
    namespace: flags.namespace ?? '(all)',
    leaderElect: flags.leaderElect,
    identity,
    metrics: endpoints.metrics?.address.port,
    health: endpoints.health?.address.port,
  });

  const controller = (controllerSignal: AbortSignal) =>
    runController({
      kubeConfig,
      namespace: flags.namespace,
      logger,
      metrics,
      signal: controllerSignal,
      concurrency: flags.concurrency,
      instance: identity,
      workerDefaults: flags.workerDefaults,
      ...(nats ? { nats } : {}),
      ...runtime.controller,
    });
  try {
    if (!flags.leaderElect) await controller(signal);
    else
      await runAsLeader(
        {
          kubeConfig,
          namespace: leaseNamespace(flags),
          name: flags.leaseName,
          identity,
          logger,
          signal,
          onLeading: (leading) => metrics.setLeader(leading),
          ...runtime.lease,
        },
        controller,
      );
  } finally {
    await Promise.all([endpoints.metrics?.close(), endpoints.health?.close()]);
    logger.info('Stopped bacl-operator');
  }
}

async function startEndpoints(
  flags: OperatorFlags,
  metrics: OperatorMetrics,
  signal: AbortSignal,
): Promise<{ metrics?: HttpEndpoint; health?: HttpEndpoint }> {
  const metricsAt = parseAddress(flags.metricsAddr, '--metrics-addr');
  const healthAt = parseAddress(flags.healthAddr, '--health-addr');
  const ok = () => ({ status: 200, contentType: 'text/plain', body: 'ok\n' });
  return {
    ...(metricsAt && {
      metrics: await serve(
        metricsAt,
        {
          '/metrics': () => ({
            status: 200,
            contentType: 'text/plain; version=0.0.4; charset=utf-8',
            body: metrics.registry.render(),
          }),
        },
        signal,
      ),
    }),
    // The process is live while it serves; a stuck informer or worker is the queue metrics' business.
    ...(healthAt && { health: await serve(healthAt, { '/healthz': ok, '/readyz': ok }, signal) }),
  };
}

/** The signing key is read once, at start-up; the operator's own credentials file at each connect (rotation). */
function natsOptions(flags: OperatorFlags): ControllerOptions['nats'] {
  const minting = flags.natsMinting;
  const url = flags.workerDefaults.natsUrl;
  if (!minting || !url) return undefined;
  const credentialsFile = minting.credentialsFile;
  return {
    url,
    periodSeconds: minting.periodSeconds,
    minter: NatsUserMinter.fromSeedFile(minting.signingKeyFile, minting.account),
    ...(credentialsFile ? { operatorCreds: () => readFileSync(credentialsFile) } : {}),
  };
}

function leaseNamespace(flags: OperatorFlags): string {
  if (flags.leaderElectionNamespace) return flags.leaderElectionNamespace;
  if (flags.namespace) return flags.namespace;
  try {
    return readFileSync(serviceAccountNamespace, 'utf8').trim();
  } catch {
    return 'default';
  }
}

export function reportFatal(logger: Logger, error: unknown): void {
  logger.error('bacl-operator failed', { error: describe(error) });
}
