import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const config = [
    `listen: 127.0.0.1:${port}`,
    `http: 127.0.0.1:${monitorPort}`,
    `max_payload: ${maxPayload}`,
    ...(options.writeDeadline ? [`write_deadline: "${options.writeDeadline}"`] : []),
    'jetstream {',
    `  store_dir: "${join(dir, 'jetstream')}"`,
    '  max_memory_store: 256MB',
    '  max_file_store: 1GB',
    '}',
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
    process: proc,
    stop: () => proc.stop(),
  };
}
