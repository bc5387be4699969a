import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../controller/clock.js';
import { describe, LeaderElectionError } from '../controller/errors.js';
import type { Logger } from '../telemetry/logger.js';

// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: the holder renews every retry
// period; a candidate takes the Lease only after it has seen the same record unchanged for a whole lease
// duration (measured on its own clock, so clock skew between nodes does not matter); a holder that cannot
// renew within the renew deadline stops leading; a holder that stops cleanly releases the Lease so a
// successor takes over at once instead of after the lease duration.
//
// The Lease goes through CustomObjectsApi as a plain object: client-node 2.0.1's typed CoordinationV1Api
// serialises MicroTime fields with millisecond precision, which the API server refuses (it wants exactly six
// fractional digits), so the typed client cannot write a Lease at all.

const leases = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** @default 'bacl-operator' */
  name?: string;
  /** Unique per instance: the pod name in a cluster. */
  identity: string;
  /** How long a Lease stays valid without renewal. @default 15_000 ms */
  leaseDurationMs?: number;
  /** The holder gives up leading when it could not renew for this long. @default 10_000 ms */
  renewDeadlineMs?: number;
  /** Pause between tries to acquire or renew. @default 2_000 ms */
  retryPeriodMs?: number;
  logger: Logger;
  signal: AbortSignal;
  onLeading?: (leading: boolean) => void;
  /** Where the elector reads the time (renew deadline, observed-record age). @default systemClock */
  clock?: Clock;
}

type Attempt = 'acquired' | 'held-by-other';

/**
 * Waits for the Lease, runs `lead` with a signal that aborts when leadership is lost or `signal` aborts, and
 * releases the Lease after `lead` returns. Rejects with LeaderElectionError when leadership was lost: the
 * process should exit and be restarted as a candidate (as controller-runtime does), never keep acting.
 */
export async function runAsLeader(
  options: LeaderElectionOptions,
  lead: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const elector = new LeaseElector(options);
  if (!(await elector.acquire())) return; // stopped before becoming leader
  const leading = new AbortController();
  const stop = () => leading.abort(options.signal.reason);
  options.signal.addEventListener('abort', stop, { once: true });
  options.onLeading?.(true);
  const renewing = elector.keepRenewing(leading);
  try {
    await lead(leading.signal);
  } finally {
    options.signal.removeEventListener('abort', stop);
    const lost = elector.lost;
    leading.abort();
    await renewing;
    options.onLeading?.(false);
    if (!lost) await elector.release();
  }
  if (elector.lost) throw elector.lost;
}

class LeaseElector {
  private readonly api: CustomObjectsApi;
  private readonly name: string;
  private readonly durationMs: number;
  private readonly clock: Clock;
  private observed: { key: string; at: number } | undefined;
  lost: LeaderElectionError | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    this.name = options.name ?? 'bacl-operator';
    this.durationMs = options.leaseDurationMs ?? 15_000;
    this.clock = options.clock ?? systemClock;
  }

  private get lease(): string {
    return `${this.options.namespace}/${this.name}`;
  }

  /** Tries until the Lease is ours (true) or the signal aborts (false). */
  async acquire(): Promise<boolean> {
    const { logger, signal } = this.options;
    let waitingLogged = false;
    while (!signal.aborted) {
      try {
        if ((await this.tryAcquireOrRenew()) === 'acquired') {
          logger.info('Acquired leader lease', { lease: this.lease, identity: this.options.identity });
          return true;
        }
        if (!waitingLogged) logger.info('Waiting for leader lease', { lease: this.lease });
        waitingLogged = true;
      } catch (error) {
        logger.error('Failed to acquire leader lease; retrying', {
          lease: this.lease,
          error: describe(error),
        });
      }
      await pause(this.options.retryPeriodMs ?? 2000, signal);
    }
    return false;
  }

  /** Renews every retry period until `leading` aborts; aborts it when renewing failed past the deadline. */
  async keepRenewing(leading: AbortController): Promise<void> {
    const deadlineMs = this.options.renewDeadlineMs ?? 10_000;
    let lastRenew = this.clock.now();
    while (!leading.signal.aborted) {
      await pause(this.options.retryPeriodMs ?? 2000, leading.signal);
      if (leading.signal.aborted) return;
      let problem: string | undefined;
      try {
        if ((await this.tryAcquireOrRenew()) === 'acquired') lastRenew = this.clock.now();
        else problem = 'another instance holds the lease';
      } catch (error) {
        problem = describe(error);
      }
      if (problem && (problem.startsWith('another') || this.clock.now() - lastRenew > deadlineMs)) {
        this.lost = new LeaderElectionError(this.lease, `lost leadership: ${problem}`);
        this.options.logger.error('Lost leader lease', { lease: this.lease, error: problem });
        leading.abort(this.lost);
        return;
      }
    }
  }

  /** Gives the Lease up (holder cleared, duration 1 s), so a waiting instance takes over at once. */
  async release(): Promise<void> {
    try {
      const lease = await this.read();
      if (lease.spec?.holderIdentity !== this.options.identity) return;
      const { holderIdentity: _released, ...spec } = lease.spec;
      await this.replace({ ...lease, spec: { ...spec, leaseDurationSeconds: 1 } });
      this.options.logger.info('Released leader lease', { lease: this.lease });
    } catch (error) {
      this.options.logger.error('Failed to release leader lease', {
        lease: this.lease,
        error: describe(error),
      });
    }
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const { namespace, identity } = this.options;
    const now = new Date(this.clock.now());
    let lease: Lease;
    try {
      lease = await this.read();
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
      const body: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace },
        spec: this.spec(now, microTime(now), 0),
      };
      await this.api.createNamespacedCustomObject({ ...leases, namespace, body });
      return 'acquired';
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    const key = `${holder ?? ''}|${spec.renewTime ?? ''}|${lease.metadata.resourceVersion ?? ''}`;
    if (this.observed?.key !== key) this.observed = { key, at: this.clock.now() };
    const heldByOther = holder !== undefined && holder !== '' && holder !== identity;
    const validForMs = (spec.leaseDurationSeconds ?? this.durationMs / 1000) * 1000;
    if (heldByOther && this.clock.now() - this.observed.at < validForMs) return 'held-by-other';
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const acquireTime = holder === identity ? (spec.acquireTime ?? microTime(now)) : microTime(now);
    // replace carries the resourceVersion we read: a concurrent candidate's write makes ours fail with 409.
    await this.replace({ ...lease, spec: this.spec(now, acquireTime, transitions) });
    return 'acquired';
  }

  private async read(): Promise<Lease> {
    const { namespace } = this.options;
    return (await this.api.getNamespacedCustomObject({ ...leases, namespace, name: this.name })) as Lease;
  }

  private async replace(lease: Lease): Promise<void> {
    const { namespace } = this.options;
    await this.api.replaceNamespacedCustomObject({ ...leases, namespace, name: this.name, body: lease });
  }

  private spec(now: Date, acquireTime: string, transitions: number): LeaseSpec {
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.durationMs / 1000),
      acquireTime,
      renewTime: microTime(now),
      leaseTransitions: transitions,
    };
  }
}

/** Sleeps, or returns early when `signal` aborts (never rejects). */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}
