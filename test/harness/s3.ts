import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { answers200 } from './http-probe.js';
import { infraManifest } from './infra.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';
import { makeWorkDir } from './workdir.js';

/** A real S3 server (versitygw, posix backend) on 127.0.0.1 with its own root credentials. */
export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  version: string;
  /** SDK settings for this server; production code must not need more than endpoint + path style. */
  clientConfig(overrides?: Partial<S3ClientConfig>): S3ClientConfig;
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startS3(options: { signal?: AbortSignal } = {}): Promise<S3Server> {
  const infra = infraManifest();
  const dir = makeWorkDir('s3');
  const dataDir = join(dir, 'data');
  const metaDir = join(dir, 'meta');
  mkdirSync(dataDir);
  mkdirSync(metaDir);
  const port = await freePort();
  const accessKeyId = `BACLTEST${randomBytes(6).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = await startProcess({
    name: 'versitygw',
    bin: infra.versitygw.bin,
    // Metadata in a sidecar dir instead of xattrs, so the server behaves the same on filesystems without
    // user xattrs (tmpfs on older kernels, some overlays).
    args: [
      '--port',
      `127.0.0.1:${port}`,
      '--region',
      region,
      '--health',
      '/health',
      '--quiet',
      'posix',
      '--sidecar',
      metaDir,
      dataDir,
    ],
    env: { ...process.env, ROOT_ACCESS_KEY: accessKeyId, ROOT_SECRET_KEY: secretAccessKey },
    dir,
    ready: answers200(`${endpoint}/health`),
    signal: options.signal,
  });
  const clientConfig = (overrides: Partial<S3ClientConfig> = {}): S3ClientConfig => ({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    ...overrides,
  });
  return {
    endpoint,
    region,
    accessKeyId,
    secretAccessKey,
    version: infra.versitygw.version,
    clientConfig,
    client: (overrides) => new S3Client(clientConfig(overrides)),
    process: proc,
    stop: () => proc.stop(),
  };
}
