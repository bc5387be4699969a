import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { accountClaims, encodeJwt, operatorClaims } from '../../operator/internal.js';
import { infraManifest } from './infra.js';
import { answers200 } from './http-probe.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';
import { makeWorkDir } from './workdir.js';

/** A real nats-server with JetStream, on 127.0.0.1. */
export interface NatsServer {
  url: string;
  monitorUrl: string;
  /** The max_payload the server was configured with, in bytes (clients must read it from INFO, not this). */
  configuredMaxPayload: number;
  version: string;
  /** Set when started with `jwt: true`: the trust chain the server was configured with. */
  jwt?: NatsTrust;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export const NATS_MAX_PAYLOAD = 8 * 1024 * 1024;

export interface StartNatsOptions {
  signal?: AbortSignal;
  /** Bytes. @default NATS_MAX_PAYLOAD (8 MiB) */
  maxPayload?: number;
  /** nats-server's write_deadline (e.g. "1s"): a client that does not read for this long is disconnected. */
  writeDeadline?: string;
  /** Client port; a test that restarts the server passes the first one's, so clients reconnect to it. @default a free port */
  port?: number;
  /** Monitoring (HTTP) port. @default a free port */
  monitorPort?: number;
  /**
   * Operator mode (decentralised JWT auth, ADR 0038): fresh operator, account (with one signing key) and system
   * account keys, the account JWTs preloaded into a MEMORY resolver; clients need user credentials signed by the
   * account's signing key. No JetStream (the account grants none). @default false
   */
  jwt?: boolean;
}

/** The keys of an operator-mode server: what a test needs to mint users (never written anywhere but its dir). */
export interface NatsTrust {
  operator: string;
  /** The account bacl's users live in (public key). */
  account: string;
  /** Seed (SA...) of the account's signing key. */
  signingSeed: string;
  systemAccount: string;
}

/** A fresh trust chain and the JWTs an operator-mode server is configured with (all public: no seed). */
export interface NatsTrustChain {
  trust: NatsTrust;
  /** The operator JWT (self-signed), naming the system account. */
  operatorJwt: string;
  /** Account public key -> account JWT, bacl's account and the system account: the resolver's preload. */
  accountJwts: Record<string, string>;
}

/**
 * Fresh operator, account (with one signing key) and system account keys and their JWTs: what `nsc` would make,
 * for startNats({ jwt: true }) and for the chart test that configures the bundled NATS in operator mode.
 */
export function natsTrustChain(): NatsTrustChain {
  const operator = nkeys.createOperator();
  const account = nkeys.createAccount();
  const signing = nkeys.createAccount();
  const system = nkeys.createAccount();
  const issuedAt = Math.floor(Date.now() / 1000);
  const operatorJwt = encodeJwt(
    operatorClaims({
      name: 'bacl-test',
      operator: operator.getPublicKey(),
      issuedAt,
      systemAccount: system.getPublicKey(),
    }),
    operator,
  );
  const accountJwt = encodeJwt(
    accountClaims({
      name: 'bacl',
      account: account.getPublicKey(),
      issuedAt,
      signingKeys: [signing.getPublicKey()],
    }),
    operator,
  );
  const systemJwt = encodeJwt(
    accountClaims({ name: 'SYS', account: system.getPublicKey(), issuedAt }),
    operator,
  );
  return {
    trust: {
      operator: operator.getPublicKey(),
      account: account.getPublicKey(),
      signingSeed: new TextDecoder().decode(signing.getSeed()),
      systemAccount: system.getPublicKey(),
    },
    operatorJwt,
    accountJwts: { [account.getPublicKey()]: accountJwt, [system.getPublicKey()]: systemJwt },
  };
}

/** Keys and the server config lines of an operator-mode server. */
function operatorMode(): { trust: NatsTrust; config: string[] } {
  const { trust, operatorJwt, accountJwts } = natsTrustChain();
  return {
    trust,
    config: [
      `operator: "${operatorJwt}"`,
      `system_account: "${trust.systemAccount}"`,
      'resolver: MEMORY',
      'resolver_preload: {',
      ...Object.entries(accountJwts).map(([key, jwt]) => `  ${key}: "${jwt}"`),
      '}',
    ],
  };
}

export async function startNats(options: StartNatsOptions = {}): Promise<NatsServer> {
  const maxPayload = options.maxPayload ?? NATS_MAX_PAYLOAD;
  const infra = infraManifest();
  const dir = makeWorkDir('nats');
  const [port, monitorPort] = await Promise.all([
    options.port ?? freePort(),
    options.monitorPort ?? freePort(),
  ]);
  // 8 MB is the largest payload nats-server accepts without raising max_pending (see test-infra notes);
  // 2.9 has no CLI flag for it, hence the config file (tests of chunking may ask for a smaller one). JetStream is capped so CI's disk and memory are safe.
  const jwt = options.jwt ? operatorMode() : undefined;
  const config = [
    `listen: 127.0.0.1:${port}`,
    `http: 127.0.0.1:${monitorPort}`,
    `max_payload: ${maxPayload}`,
    ...(options.writeDeadline ? [`write_deadline: "${options.writeDeadline}"`] : []),
    ...(jwt
      ? jwt.config
      : [
          'jetstream {',
          `  store_dir: "${join(dir, 'jetstream')}"`,
          '  max_memory_store: 256MB',
          '  max_file_store: 1GB',
          '}',
        ]),
    '',
  ].join('\n');
  const configPath = join(dir, 'nats.conf');
  writeFileSync(configPath, config);
  const proc = await startProcess({
    name: 'nats-server',
    bin: infra.natsServer.bin,
    args: ['-c', configPath],
    dir,
    ready: answers200(`http://127.0.0.1:${monitorPort}/healthz`),
    signal: options.signal,
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitorPort}`,
    configuredMaxPayload: maxPayload,
    version: infra.natsServer.version,
    ...(jwt ? { jwt: jwt.trust } : {}),
    process: proc,
    stop: () => proc.stop(),
  };
}
