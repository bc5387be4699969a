import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CoreV1Api, V1Container, V1EnvFromSource, V1EnvVar, V1Pod } from '@kubernetes/client-node';

/** One container of a pod, run as a local process. */
export interface ContainerProcess {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<{ exitCode: number; signal: NodeJS.Signals | null }>;
}

/** Error for a pod the runner cannot start (no command, unsupported env source): it fails the pod with it. */
export class PodStartError extends Error {
  override name = 'PodStartError';
  constructor(
    readonly pod: string,
    readonly reason: string,
    message: string,
  ) {
    super(`${pod}: ${message}`);
  }
}

/**
 * Materialises a pod's configMap, secret and emptyDir volumes under `podDir` and returns mountPath -> local dir, so
 * paths the pod spec names (e.g. BACL_CONFIG=/etc/bacl/config.yaml) can be rewritten to files that exist.
 */
export async function materialiseVolumes(
  core: CoreV1Api,
  pod: V1Pod,
  podDir: string,
): Promise<Map<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const localDirs = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    const dir = join(podDir, 'volumes', volume.name);
    mkdirSync(dir, { recursive: true });
    if (volume.configMap?.name) {
      const configMap = await core.readNamespacedConfigMap({ name: volume.configMap.name, namespace });
      for (const [key, value] of Object.entries(configMap.data ?? {})) writeFileSync(join(dir, key), value);
    } else if (volume.secret?.secretName) {
      // As a kubelet does: the Secret's keys as files (owner-only), read with the runner's own credentials.
      const secret = await core.readNamespacedSecret({ name: volume.secret.secretName, namespace });
      for (const [key, value] of Object.entries(secret.data ?? {}))
        writeFileSync(join(dir, key), Buffer.from(value, 'base64'), { mode: 0o600 });
    } else if (!volume.emptyDir) {
      throw new PodStartError(
        podName(pod),
        'UnsupportedVolume',
        `volume ${volume.name}: only configMap, secret and emptyDir run here`,
      );
    }
    localDirs.set(volume.name, dir);
  }
  const byMountPath = new Map<string, string>();
  for (const container of pod.spec?.containers ?? []) {
    for (const mount of container.volumeMounts ?? []) {
      const dir = localDirs.get(mount.name);
      if (dir) byMountPath.set(mount.mountPath, mount.subPath ? join(dir, mount.subPath) : dir);
    }
  }
  return byMountPath;
}

/** Replaces a leading mount path in a string with the local dir that holds that volume's files. */
export function rewriteMountPaths(value: string, mounts: Map<string, string>): string {
  for (const [mountPath, local] of mounts) {
    if (value === mountPath || value.startsWith(`${mountPath}/`))
      return local + value.slice(mountPath.length);
  }
  return value;
}

/** The container's environment as a kubelet would build it (no host environment except PATH). */
export async function containerEnv(
  core: CoreV1Api,
  pod: V1Pod,
  container: V1Container,
  mounts: Map<string, string>,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOSTNAME: pod.metadata?.name ?? '',
  };
  // envFrom first, then env: a kubelet lets an explicit env entry win over a key from envFrom.
  for (const source of container.envFrom ?? []) Object.assign(env, await envFromSource(core, pod, source));
  for (const variable of container.env ?? [])
    env[variable.name] = rewriteMountPaths(await envValue(core, pod, variable), mounts);
  return env;
}

/** One envFrom entry: every key of a Secret or ConfigMap, with its prefix (a missing object fails the pod). */
async function envFromSource(
  core: CoreV1Api,
  pod: V1Pod,
  source: V1EnvFromSource,
): Promise<Record<string, string>> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const prefix = source.prefix ?? '';
  const entries: [string, string][] = [];
  const missing = (kind: string, name: string) =>
    new PodStartError(podName(pod), 'CreateContainerConfigError', `envFrom: ${kind} "${name}" not found`);
  if (source.secretRef) {
    const name = source.secretRef.name ?? '';
    const secret = await core.readNamespacedSecret({ name, namespace }).catch(() => undefined);
    if (!secret) {
      if (source.secretRef.optional) return {};
      throw missing('secret', name);
    }
    for (const [key, value] of Object.entries(secret.data ?? {}))
      entries.push([key, Buffer.from(value, 'base64').toString('utf8')]);
  } else if (source.configMapRef) {
    const name = source.configMapRef.name ?? '';
    const configMap = await core.readNamespacedConfigMap({ name, namespace }).catch(() => undefined);
    if (!configMap) {
      if (source.configMapRef.optional) return {};
      throw missing('configmap', name);
    }
    entries.push(...Object.entries(configMap.data ?? {}));
  }
  return Object.fromEntries(entries.map(([key, value]) => [prefix + key, value]));
}

async function envValue(core: CoreV1Api, pod: V1Pod, variable: V1EnvVar): Promise<string> {
  if (variable.value !== undefined) return variable.value;
  const source = variable.valueFrom;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (source?.fieldRef) return fieldValue(pod, source.fieldRef.fieldPath);
  if (source?.configMapKeyRef) {
    const configMap = await core.readNamespacedConfigMap({
      name: source.configMapKeyRef.name ?? '',
      namespace,
    });
    return configMap.data?.[source.configMapKeyRef.key] ?? '';
  }
  if (source?.secretKeyRef) {
    const secret = await core.readNamespacedSecret({ name: source.secretKeyRef.name ?? '', namespace });
    const data = secret.data?.[source.secretKeyRef.key];
    return data === undefined ? '' : Buffer.from(data, 'base64').toString('utf8');
  }
  throw new PodStartError(podName(pod), 'UnsupportedEnv', `env ${variable.name}: unsupported valueFrom`);
}

/** The downward API fields a kubelet resolves. */
function fieldValue(pod: V1Pod, path: string): string {
  const labelMatch = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (labelMatch)
    return pod.metadata?.[labelMatch[1] as 'labels' | 'annotations']?.[labelMatch[2] ?? ''] ?? '';
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'metadata.uid': pod.metadata?.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
  };
  if (!(path in fields))
    throw new PodStartError(podName(pod), 'UnsupportedEnv', `fieldRef ${path} is not supported`);
  return fields[path] ?? '';
}

/** Spawns one container's command + args with its env; output goes to `<podDir>/<container>.log`. */
export function spawnContainer(
  pod: V1Pod,
  container: V1Container,
  env: Record<string, string>,
  mounts: Map<string, string>,
  podDir: string,
): ContainerProcess {
  // A path that exists on this host names the host's program or source (images are not run here), so it stays
  // as it is even under a mount path: a checkout under /tmp must not turn into the pod's /tmp volume.
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map((arg) =>
    isAbsolute(arg) && existsSync(arg) ? arg : rewriteMountPaths(arg, mounts),
  );
  const [bin, ...args] = argv;
  if (bin === undefined) {
    throw new PodStartError(
      podName(pod),
      'NoCommand',
      `container ${container.name} has no command (images do not run here)`,
    );
  }
  const logPath = join(podDir, `${container.name}.log`);
  const logFd = openSync(logPath, 'a');
  const workDir = container.workingDir ? rewriteMountPaths(container.workingDir, mounts) : podDir;
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { env, cwd: workDir, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<{ exitCode: number; signal: NodeJS.Signals | null }>((resolve) => {
    // A command that cannot be started exits 127 (what a shell or a runtime reports for "not found").
    child.once('error', () => resolve({ exitCode: 127, signal: null }));
    child.once('exit', (code, signal) => resolve({ exitCode: code ?? 128 + signalNumber(signal), signal }));
  });
  return { name: container.name, child, logPath, exited };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1;
}

export function podName(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? '?'}`;
}

/** The kubelet's defaults and caps for termination messages (pkg/kubelet/container: MaxContainerTerminationMessageLength ...). */
export const terminationMessage = {
  defaultPath: '/dev/termination-log',
  /** Bytes kept of the file: the last ones (kubelet tail.ReadAtMost). */
  maxBytes: 4096,
  /** FallbackToLogsOnError: the last 80 lines of the log, at most 2048 bytes. */
  fallbackLines: 80,
  fallbackBytes: 2048,
};

/**
 * The container's terminationMessagePath -> its file in the pod's directory, created empty before the container
 * starts (a kubelet bind-mounts such a file at that path, writable even on a read-only root).
 */
export function terminationFile(container: V1Container, podDir: string): [string, string] {
  const local = join(podDir, `${container.name}.termination-log`);
  writeFileSync(local, '');
  return [container.terminationMessagePath || terminationMessage.defaultPath, local];
}

/**
 * state.terminated.message as a kubelet writes it: the last 4096 bytes of the file; with
 * FallbackToLogsOnError, an empty file and a failed container, the tail of its log instead.
 */
export function readTerminationMessage(container: V1Container, podDir: string, exitCode: number): string {
  const tail = (bytes: Buffer, max: number) => bytes.subarray(Math.max(0, bytes.length - max));
  const file = join(podDir, `${container.name}.termination-log`);
  const message = existsSync(file)
    ? tail(readFileSync(file), terminationMessage.maxBytes).toString('utf8')
    : '';
  if (message !== '' || container.terminationMessagePolicy !== 'FallbackToLogsOnError' || exitCode === 0)
    return message;
  const logPath = join(podDir, `${container.name}.log`);
  if (!existsSync(logPath)) return '';
  const lines = readFileSync(logPath, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const last = Buffer.from(lines.slice(-terminationMessage.fallbackLines).join('\n'));
  return tail(last, terminationMessage.fallbackBytes).toString('utf8');
}
