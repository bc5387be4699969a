// The claims of the three NATS JWTs of decentralised auth (ADR 0038), with the limits github.com/nats-io/jwt/v2
// writes by default: -1 is "no limit". nats-server decodes a missing limit as Go's zero value, not as "no
// limit", hence every limit spelled out. Pure: keys and times come in.
import type { NatsPermission, UnsignedClaims } from './jwt.js';

const noLimit = -1;

/** An operator's self-signed JWT: the root of trust the server is configured with. */
export function operatorClaims(options: {
  name: string;
  operator: string;
  issuedAt: number;
  /** The account the server uses for its own traffic ($SYS). */
  systemAccount?: string;
}): UnsignedClaims {
  return {
    iat: options.issuedAt,
    name: options.name,
    sub: options.operator,
    nats: {
      type: 'operator',
      version: 2,
      ...(options.systemAccount ? { system_account: options.systemAccount } : {}),
    },
  };
}

/** An account's JWT, signed by the operator; `signingKeys` may sign the account's users. */
export function accountClaims(options: {
  name: string;
  account: string;
  issuedAt: number;
  signingKeys?: string[];
}): UnsignedClaims {
  return {
    iat: options.issuedAt,
    name: options.name,
    sub: options.account,
    nats: {
      type: 'account',
      version: 2,
      limits: {
        subs: noLimit,
        data: noLimit,
        payload: noLimit,
        imports: noLimit,
        exports: noLimit,
        wildcards: true,
        conn: noLimit,
        leaf: noLimit,
      },
      ...(options.signingKeys?.length ? { signing_keys: options.signingKeys } : {}),
    },
  };
}

/** A user's JWT, signed by its account or (with `issuerAccount` naming the account) one of its signing keys. */
export function userClaims(options: {
  name: string;
  user: string;
  issuedAt: number;
  /** Seconds since the epoch; undefined: never expires. */
  expires?: number;
  /** The account, when a signing key (not the account key itself) signs. */
  issuerAccount?: string;
  pub: NatsPermission;
  sub: NatsPermission;
}): UnsignedClaims {
  return {
    iat: options.issuedAt,
    name: options.name,
    sub: options.user,
    ...(options.expires === undefined ? {} : { exp: options.expires }),
    nats: {
      type: 'user',
      version: 2,
      pub: options.pub,
      sub: options.sub,
      subs: noLimit,
      data: noLimit,
      payload: noLimit,
      ...(options.issuerAccount ? { issuer_account: options.issuerAccount } : {}),
    },
  };
}
