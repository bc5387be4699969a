// NATS JWTs (decentralised auth, version 2), encoded and verified on top of nkeys (ADR 0038), so the operator
// mints per-job users without a 0.0.x dependency. The format, as nats-server 2.9+ reads it:
//   token  = base64url(header) "." base64url(claims) "." base64url(ed25519(signer, base64url(header) "." base64url(claims)))
//   header = {"typ":"JWT","alg":"ed25519-nkey"}
//   claims = {jti, iat, iss, name, sub, exp?, nats: {type, version: 2, ...}}, jti = base32(sha512/256(claims
//            without jti)), no padding, as github.com/nats-io/jwt/v2 computes it
// iss is the signer's public key: an operator signs itself and its accounts, an account (or one of its signing
// keys, then nats.issuer_account names the account) signs its users. Signatures are ed25519, so the same
// claims and key always give the same token.
import { createHash } from 'node:crypto';
import { nkeys } from '@nats-io/transport-node';

export type NatsClaimType = 'operator' | 'account' | 'user';

/** Subjects a user may publish or subscribe to (deny wins over allow on the server). */
export interface NatsPermission {
  allow?: string[];
  deny?: string[];
}

export interface NatsClaims {
  /** Unique id: base32 of the claims' hash (set by encodeJwt). */
  jti: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** The signer's public key (set by encodeJwt). */
  iss: string;
  name: string;
  /** The public key this JWT describes. */
  sub: string;
  /** Expiry, seconds since the epoch; the server refuses (and disconnects) a user past it. */
  exp?: number;
  nats: { type: NatsClaimType; version: 2 } & Record<string, unknown>;
}

/** What the caller states; encodeJwt adds jti and iss. */
export type UnsignedClaims = Omit<NatsClaims, 'jti' | 'iss'>;

export class NatsJwtError extends Error {
  override readonly name = 'NatsJwtError';
}

const header = { typ: 'JWT', alg: 'ed25519-nkey' } as const;
const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, without padding (Go's base32.StdEncoding.WithPadding(NoPadding)). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += base32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

const base64url = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

/** Signs `claims` with `signer` (an nkeys pair holding a seed): the JWT. */
export function encodeJwt(claims: UnsignedClaims, signer: nkeys.KeyPair): string {
  const iss = signer.getPublicKey();
  // The id hashes the claims as they are without it, so it identifies their content.
  const withoutId = { ...claims, iss };
  const hash = createHash('sha512-256').update(JSON.stringify(withoutId)).digest();
  const full: NatsClaims = { jti: base32(hash), ...withoutId };
  const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(full))}`;
  return `${signed}.${base64url(signer.sign(new TextEncoder().encode(signed)))}`;
}

/** Parses a JWT and verifies its signature against its iss; throws NatsJwtError naming what is wrong. */
export function decodeJwt(token: string): NatsClaims {
  const parts = token.split('.');
  if (parts.length !== 3)
    throw new NatsJwtError(`a NATS JWT has 3 dot-separated parts, this one ${parts.length}`);
  const [head, body, signature] = parts as [string, string, string];
  let parsedHeader: unknown;
  let claims: NatsClaims;
  try {
    parsedHeader = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as NatsClaims;
  } catch (error) {
    throw new NatsJwtError('the JWT header or claims are not base64url-encoded JSON', { cause: error });
  }
  const { typ, alg } = (parsedHeader ?? {}) as { typ?: unknown; alg?: unknown };
  if (typ !== header.typ || alg !== header.alg)
    throw new NatsJwtError(`not a version 2 NATS JWT: typ ${String(typ)}, alg ${String(alg)}`);
  let verified: boolean;
  try {
    verified = nkeys
      .fromPublic(claims.iss)
      .verify(new TextEncoder().encode(`${head}.${body}`), Buffer.from(signature, 'base64url'));
  } catch (error) {
    throw new NatsJwtError(`the JWT's iss '${String(claims.iss)}' is not an nkey public key`, {
      cause: error,
    });
  }
  if (!verified) throw new NatsJwtError(`the JWT's signature does not verify against its iss ${claims.iss}`);
  return claims;
}

/** A NATS credentials file: the user JWT and the user's seed, in the layout nsc writes and clients read. */
export function formatCreds(jwt: string, userSeed: Uint8Array): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    jwt,
    '------END NATS USER JWT------',
    '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.',
    '',
    '-----BEGIN USER NKEY SEED-----',
    new TextDecoder().decode(userSeed),
    '------END USER NKEY SEED------',
    '',
  ].join('\n');
}

/** The JWT of a credentials file (the first armoured block). */
export function credsJwt(creds: string): string {
  const match = /-----BEGIN NATS USER JWT-----\s*\n\s*(\S+)\s*\n/.exec(creds);
  if (!match?.[1]) throw new NatsJwtError('no "BEGIN NATS USER JWT" block in the credentials');
  return match[1];
}
