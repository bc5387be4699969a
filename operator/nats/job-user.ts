// The NATS users the operator mints (ADR 0038): one per job, allowed to publish and subscribe only under the
// job's subject root `bacl.<ns>.<job>.>` (its collectives, its progress reports and its request/reply inboxes,
// common/api/progress.ts), and the operator's own, which may only subscribe to the jobs' progress subjects.
// Both are signed by an account signing key, never the account key itself, so the account key stays offline
// and a leaked signing key is revoked by re-issuing the account JWT without it.
import { readFileSync } from 'node:fs';
import { nkeys } from '@nats-io/transport-node';
import { jobSubjectRoot, progressSubject } from '../../common/index.js';
import { userClaims } from './claims.js';
import { encodeJwt, formatCreds, type UnsignedClaims } from './jwt.js';

/** Who a job's user is, and for how long: all a job user's claims depend on. */
export interface JobUser {
  namespace: string;
  job: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch. */
  expires: number;
}

/** The claims of a job's user: publish and subscribe only under the job's root. Pure. */
export function jobUserClaims(user: JobUser, keys: { user: string; account: string }): UnsignedClaims {
  const only = [`${jobSubjectRoot(user.namespace, user.job)}.>`];
  return userClaims({
    name: `bacl job ${user.namespace}/${user.job}`,
    user: keys.user,
    issuedAt: user.issuedAt,
    expires: user.expires,
    issuerAccount: keys.account,
    pub: { allow: only },
    sub: { allow: only },
  });
}

/**
 * The operator's own user: subscribes to every job's progress subject (`bacl.*.*.*.progress`) and publishes
 * nothing (an empty allow list would mean "everything" to the server, hence the deny). Pure.
 */
export function operatorUserClaims(
  issued: { issuedAt: number; expires: number },
  keys: { user: string; account: string },
): UnsignedClaims {
  return userClaims({
    name: 'bacl-operator',
    user: keys.user,
    issuedAt: issued.issuedAt,
    expires: issued.expires,
    issuerAccount: keys.account,
    pub: { deny: ['>'] },
    sub: { allow: [progressSubject('*', '*', '*')] },
  });
}

export class NatsSigningKeyError extends Error {
  override readonly name = 'NatsSigningKeyError';
}

/** An account signing key and the account it signs for: what mints users. */
export class NatsUserMinter {
  private constructor(
    private readonly signingKey: nkeys.KeyPair,
    readonly account: string,
  ) {}

  /**
   * Reads the signing key's seed (`SA...`, as `nsc` prints it) from `seedFile`, a file mounted from a Secret.
   * `account` is the account's public key (`A...`).
   */
  static fromSeedFile(seedFile: string, account: string): NatsUserMinter {
    let seed: string;
    try {
      seed = readFileSync(seedFile, 'utf8').trim();
    } catch (error) {
      throw new NatsSigningKeyError(`cannot read the NATS account signing key ${seedFile}`, { cause: error });
    }
    return NatsUserMinter.fromSeed(seed, account, seedFile);
  }

  static fromSeed(seed: string, account: string, source = 'the seed'): NatsUserMinter {
    if (!/^A[A-Z2-7]{55}$/.test(account))
      throw new NatsSigningKeyError(
        `the NATS account '${account}' is not an account public key (56 characters starting with A)`,
      );
    let key: nkeys.KeyPair;
    try {
      key = nkeys.fromSeed(new TextEncoder().encode(seed));
    } catch (error) {
      throw new NatsSigningKeyError(`${source} holds no nkey seed (SA...)`, { cause: error });
    }
    if (!key.getPublicKey().startsWith('A'))
      throw new NatsSigningKeyError(
        `${source} holds a ${key.getPublicKey()[0]}-key seed; an account signing key's seed starts with SA`,
      );
    return new NatsUserMinter(key, account);
  }

  /** The signing key's public key (what the account JWT lists in signing_keys). */
  get signingPublicKey(): string {
    return this.signingKey.getPublicKey();
  }

  /** A fresh user key and its JWT, as a credentials file; `claimsOf` gives the claims for the user's public key. */
  mint(claimsOf: (keys: { user: string; account: string }) => UnsignedClaims): {
    creds: string;
    user: string;
  } {
    const user = nkeys.createUser();
    try {
      const jwt = encodeJwt(claimsOf({ user: user.getPublicKey(), account: this.account }), this.signingKey);
      return { creds: formatCreds(jwt, user.getSeed()), user: user.getPublicKey() };
    } finally {
      user.clear();
    }
  }

  mintJobUser(user: JobUser): { creds: string; user: string } {
    return this.mint((keys) => jobUserClaims(user, keys));
  }
}
