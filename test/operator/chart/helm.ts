import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../../common/index.js';
import { infraManifest } from '../../harness/index.js';

const run = promisify(execFile);

export const chartDir = join(packageRoot(), 'charts/bacl-operator');

/** A rendered manifest, as much of it as the chart tests read. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** Runs the helm that scripts/test-infra.sh built; never throws on a non-zero exit. */
export async function helm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(infraManifest().helm.bin, args, {
      env: {
        ...process.env,
        HELM_CACHE_HOME: '/tmp/bacl-helm/cache',
        HELM_CONFIG_HOME: '/tmp/bacl-helm/config',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

/** `helm template` of the chart for the Kubernetes version the harness runs; throws with helm's words. */
export async function helmTemplate(
  release: string,
  namespace: string,
  extra: string[] = [],
): Promise<string> {
  const result = await helm([
    'template',
    release,
    chartDir,
    '-n',
    namespace,
    '--kube-version',
    '1.35.4',
    ...extra,
  ]);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return result.stdout;
}

/** The documents of a rendered chart (empty ones, which whole-file conditions leave, dropped). */
export function manifests(rendered: string): Manifest[] {
  return parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

/** The one manifest of `kind` (and `name`, when given); throws naming what is there when it is not one. */
export function only(rendered: Manifest[], kind: string, name?: string): Manifest {
  const found = rendered.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length} among ` +
        rendered.map((m) => `${m.kind}/${m.metadata.name}`).join(', '),
    );
  return found[0] as Manifest;
}
