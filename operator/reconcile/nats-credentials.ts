import type { BaclJob } from '../../common/index.js';

// Which jobs get NATS credentials minted by the operator, under which Secret name and until when (ADR 0038).
// Pure: the clock is a parameter. A job gets a minted user when the operator holds a signing key of the account
// behind its NATS server (the operator's --nats-url) and the job brings no credentials of its own.
//
// Rotation without updating anything (the operator may only create Secrets): the job's lifetime is cut into
// periods of P seconds from its creation; period g has its own Secret `<job>-nats-<uid8>-<g>` whose user
// expires at creation + (g + 2)·P. A pod always mounts the Secret of the period it is created in, so it holds
// credentials valid for at least P more seconds, and a leaked credential is useless at most 2·P after it was
// minted. The uid in the name keeps a re-created job of the same name from mistaking its predecessor's Secret
// (still awaiting garbage collection) for its own.

export interface NatsMinting {
  /** The NATS URL whose account the operator signs users for (the operator's --nats-url). */
  url: string;
  /** P, the rotation period. @default 2_592_000 (30 days: longer than most training runs, short for a leak) */
  periodSeconds?: number;
}

export const defaultNatsPeriodSeconds = 30 * 24 * 3600;

export interface MintedCredentials {
  secretName: string;
  /** The period g the Secret belongs to. */
  period: number;
  /** Seconds since the epoch. */
  issuedAt: number;
  expires: number;
}

/** The Secret `now`'s pods of `job` mount, when the operator mints the job's credentials; else undefined. */
export function mintedCredentials(
  job: BaclJob,
  minting: NatsMinting | undefined,
  now: Date,
): MintedCredentials | undefined {
  const { spec, metadata } = job;
  if (!minting || spec.nats.credentialsSecret || spec.nats.url !== minting.url) return undefined;
  const period = minting.periodSeconds ?? defaultNatsPeriodSeconds;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const created = metadata.creationTimestamp
    ? Math.floor(Date.parse(metadata.creationTimestamp) / 1000)
    : nowSeconds;
  const g = Math.max(0, Math.floor((nowSeconds - created) / period));
  return {
    secretName: natsCredentialsSecretName(job, g),
    period: g,
    issuedAt: nowSeconds,
    expires: created + (g + 2) * period,
  };
}

/** `<job>-nats-<first 8 of uid>-<period>`: at most 40 + 15 + digits characters, a DNS subdomain. */
export function natsCredentialsSecretName(job: BaclJob, period: number): string {
  return `${natsCredentialsSecretPrefix(job)}${period}`;
}

/** `<job>-nats-<first 8 of uid>-`: what the names of one job's minted Secrets start with (and no other job's). */
export function natsCredentialsSecretPrefix(job: BaclJob): string {
  return `${job.metadata.name}-nats-${(job.metadata.uid ?? '').slice(0, 8) || 'nouid'}-`;
}
