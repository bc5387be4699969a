import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** One binary scripts/test-infra.sh installed, with the version it reported or was built at. */
export interface InfraBinary {
  bin: string;
  version: string;
}

/** ~/.cache/bacl/infra/manifest.json, written by scripts/test-infra.sh. */
export interface InfraManifest {
  natsServer: InfraBinary;
  etcd: InfraBinary;
  kubeApiserver: InfraBinary;
  kubectl: InfraBinary;
  versitygw: InfraBinary;
  helm: InfraBinary;
  openssl: InfraBinary;
}

export class InfraMissingError extends Error {
  override name = 'InfraMissingError';
  constructor(
    message: string,
    readonly manifestPath: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}\nTry this: bash scripts/test-infra.sh (installs and builds the test servers)`, options);
  }
}

export function manifestPath(): string {
  return process.env.BACL_INFRA_MANIFEST ?? join(homedir(), '.cache', 'bacl', 'infra', 'manifest.json');
}

let cached: InfraManifest | undefined;

/** Reads and checks the manifest once per process; every binary it names must exist and be executable. */
export function infraManifest(): InfraManifest {
  if (cached) return cached;
  const path = manifestPath();
  let manifest: InfraManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as InfraManifest;
  } catch (error) {
    throw new InfraMissingError(`cannot read the test-infrastructure manifest ${path}`, path, {
      cause: error,
    });
  }
  for (const [name, entry] of Object.entries(manifest) as [string, InfraBinary | undefined][]) {
    if (!entry?.bin) throw new InfraMissingError(`${path}: "${name}.bin" is missing`, path);
    try {
      accessSync(entry.bin, constants.X_OK);
    } catch (error) {
      throw new InfraMissingError(`${path}: ${name} binary ${entry.bin} is not executable`, path, {
        cause: error,
      });
    }
  }
  return (cached = manifest);
}
