import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  CoreV1Api,
  makeInformer,
  type KubeConfig,
  type V1ContainerStatus,
  type V1Pod,
  type V1PodStatus,
} from '@kubernetes/client-node';
import {
  containerEnv,
  materialiseVolumes,
  podName,
  PodStartError,
  spawnContainer,
  type ContainerProcess,
} from './pod-process.js';
import { startKubeletLogServer } from './kubelet-logs.js';
import { makeWorkDir } from './workdir.js';

/**
 * A stand-in for kube-scheduler + kubelet (none runs here): binds unscheduled pods to one fake node, runs each
 * container's command + args as a local process with the pod's env and volumes, and writes pod status (phase,
 * container states, exit codes) back through the API, as a kubelet would. It serves container logs on the
 * node's kubelet port, so pods/log (kubectl logs) works through the API server. restartPolicy is treated as Never:
 * the operator owns restarts. Images are not pulled or run; a container needs an explicit command.
 */
export interface PodRunner {
  nodeName: string;
  /** Every pod the runner started, in order (`ns/name`). */
  started: string[];
  /** Kills a running pod's containers; the pod ends Failed with `exitCode` (like an OOM kill or a crash). */
  failPod(namespace: string, name: string, exitCode?: number): Promise<void>;
  /** From now on the node is gone: processes die, no status is written, deleted pods stay Terminating. */
  loseNode(): void;
  /**
   * One pod's share of a lost node: its processes are SIGKILLed, its status stays as last written (Running)
   * and its deletion is never confirmed, so once deleted it stays Terminating. Other pods run on.
   */
  losePod(namespace: string, name: string): Promise<void>;
  /** The PIDs of a running pod's container processes (each container's command), in container order. */
  pids(namespace: string, name: string): number[];
  /** What a container wrote to stdout/stderr. */
  logs(namespace: string, name: string, container?: string): string;
  stop(): Promise<void>;
}

export interface PodRunnerOptions {
  nodeName?: string;
  /** Only pods in these namespaces are bound and run (default: every namespace). */
  namespaces?: readonly string[];
  /** Advertised nvidia.com/gpu capacity of the fake node. */
  gpus?: number;
}

interface RunningPod {
  pod: V1Pod;
  dir: string;
  containers: ContainerProcess[];
  failedOnPurpose?: number;
}

export async function startPodRunner(
  kubeConfig: KubeConfig,
  options: PodRunnerOptions = {},
): Promise<PodRunner> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const nodeName = options.nodeName ?? 'bacl-test-node';
  const baseDir = makeWorkDir('pods');
  const running = new Map<string, RunningPod>();
  const finished = new Map<string, { dir: string; pod: V1Pod }>(); // for logs after exit
  const kubelet = await startKubeletLogServer(baseDir, {
    logPath: (namespace, pod, container) => {
      const ran = running.get(`${namespace}/${pod}`) ?? finished.get(`${namespace}/${pod}`);
      return ran && ran.pod.spec?.containers.some((c) => c.name === container)
        ? join(ran.dir, `${container}.log`)
        : undefined;
    },
    running: (namespace, pod) => running.has(`${namespace}/${pod}`),
  });
  await registerNode(core, nodeName, options.gpus ?? 8, kubelet.port);

  const queues = new Map<string, Promise<void>>();
  const started: string[] = [];
  let nodeLost = false;
  let stopping = false;
  /** `ns/name` of pods lost on purpose (losePod): nothing more is reported about them. */
  const lost = new Set<string>();

  /** One handler at a time per pod, in event order; later events see the effects of earlier ones. */
  const enqueue = (pod: V1Pod, work: (pod: V1Pod) => Promise<void>) => {
    const key = podName(pod);
    const next = (queues.get(key) ?? Promise.resolve())
      .then(() => work(pod))
      .catch((error: unknown) => {
        if (!stopping)
          console.error(`pod runner: ${key}: ${error instanceof Error ? error.message : String(error)}`);
      });
    queues.set(key, next);
  };

  const writeStatus = async (pod: V1Pod, status: V1PodStatus) => {
    if (nodeLost || lost.has(podName(pod))) return;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        const current = await core.readNamespacedPodStatus({
          name: pod.metadata!.name!,
          namespace: pod.metadata!.namespace!,
        });
        await core.replaceNamespacedPodStatus({
          name: pod.metadata!.name!,
          namespace: pod.metadata!.namespace!,
          body: { ...current, status: { ...current.status, ...status } },
        });
        return;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return; // deleted meanwhile
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    }
  };

  const start = async (pod: V1Pod) => {
    const key = podName(pod);
    if (running.has(key) || finished.has(key) || pod.metadata?.deletionTimestamp) return;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const dir = join(
      baseDir,
      `${pod.metadata?.namespace}-${pod.metadata?.name}-${pod.metadata?.uid?.slice(0, 8)}`,
    );
    mkdirSync(dir, { recursive: true });
    started.push(key);
    const entry: RunningPod = { pod, dir, containers: [] };
    running.set(key, entry);
    try {
      const mounts = await materialiseVolumes(core, pod, dir);
      for (const container of pod.spec?.containers ?? []) {
        const env = await containerEnv(core, pod, container, mounts);
        entry.containers.push(spawnContainer(pod, container, env, mounts, dir));
      }
    } catch (error) {
      for (const container of entry.containers) container.child.kill('SIGKILL');
      running.delete(key);
      finished.set(key, { dir, pod });
      const reason = error instanceof PodStartError ? error.reason : 'StartError';
      await writeStatus(pod, {
        phase: 'Failed',
        reason,
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    const startedAt = new Date();
    await writeStatus(pod, {
      phase: 'Running',
      podIP: '127.0.0.1',
      hostIP: '127.0.0.1',
      startTime: startedAt,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: startedAt }],
      containerStatuses: entry.containers.map((container) =>
        containerState(container.name, { running: { startedAt } }),
      ),
    });
    void Promise.all(entry.containers.map((container) => container.exited)).then((exits) =>
      enqueue(pod, async () => {
        running.delete(key);
        finished.set(key, { dir, pod });
        const codes = exits.map((exit) => entry.failedOnPurpose ?? exit.exitCode);
        const finishedAt = new Date();
        await writeStatus(pod, {
          phase: codes.every((code) => code === 0) ? 'Succeeded' : 'Failed',
          conditions: [
            { type: 'Ready', status: 'False', lastTransitionTime: finishedAt, reason: 'PodCompleted' },
          ],
          containerStatuses: entry.containers.map((container, index) =>
            containerState(container.name, {
              terminated: {
                exitCode: codes[index] ?? 1,
                reason:
                  codes[index] === 0
                    ? 'Completed'
                    : entry.failedOnPurpose !== undefined
                      ? 'OOMKilled'
                      : 'Error',
                startedAt,
                finishedAt,
              },
            }),
          ),
        });
      }),
    );
  };

  const terminate = async (pod: V1Pod) => {
    const key = podName(pod);
    // A lost node never confirms the deletion: the pod stays Terminating.
    if (nodeLost || lost.has(key)) return;
    const entry = running.get(key);
    if (entry) {
      const grace = Math.min(pod.spec?.terminationGracePeriodSeconds ?? 30, 30) * 1000;
      for (const container of entry.containers) container.child.kill('SIGTERM');
      const all = Promise.all(entry.containers.map((container) => container.exited));
      if ((await Promise.race([all.then(() => true), sleep(grace).then(() => false)])) === false) {
        for (const container of entry.containers) container.child.kill('SIGKILL');
        await all;
      }
    }
    // The kubelet's last word: delete with grace 0 once the containers are gone (finalizers still apply).
    await core
      .deleteNamespacedPod({
        name: pod.metadata!.name!,
        namespace: pod.metadata!.namespace!,
        gracePeriodSeconds: 0,
      })
      .catch((error: unknown) => {
        if (!(error instanceof ApiException && error.code === 404)) throw error;
      });
  };

  const bind = async (pod: V1Pod) => {
    await core.createNamespacedPodBinding({
      name: pod.metadata!.name!,
      namespace: pod.metadata!.namespace!,
      body: {
        metadata: { name: pod.metadata!.name! },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      },
    });
  };

  const onPod = (pod: V1Pod) => {
    if (nodeLost || stopping) return;
    if (options.namespaces && !options.namespaces.includes(pod.metadata?.namespace ?? '')) return;
    if (pod.metadata?.deletionTimestamp) {
      if (pod.spec?.nodeName === nodeName || !pod.spec?.nodeName) enqueue(pod, terminate);
    } else if (!pod.spec?.nodeName) enqueue(pod, bind);
    else if (pod.spec.nodeName === nodeName) enqueue(pod, start);
  };

  const informer = makeInformer(kubeConfig, '/api/v1/pods', () => core.listPodForAllNamespaces());
  informer.on('add', onPod);
  informer.on('update', onPod);
  informer.on('delete', (pod) => {
    const entry = running.get(podName(pod));
    for (const container of entry?.containers ?? []) container.child.kill('SIGKILL');
  });
  informer.on('error', () => {
    // The informer stops on errors; keep serving pods unless the runner is being stopped.
    if (!stopping) setTimeout(() => void informer.start(), 500);
  });
  await informer.start();

  return {
    nodeName,
    started,
    async failPod(namespace, name, exitCode = 137) {
      const entry = running.get(`${namespace}/${name}`);
      if (!entry) throw new Error(`pod ${namespace}/${name} is not running on ${nodeName}`);
      entry.failedOnPurpose = exitCode;
      for (const container of entry.containers) container.child.kill('SIGKILL');
      await Promise.all(entry.containers.map((container) => container.exited));
    },
    loseNode() {
      nodeLost = true;
      for (const entry of running.values())
        for (const container of entry.containers) container.child.kill('SIGKILL');
    },
    async losePod(namespace, name) {
      const key = `${namespace}/${name}`;
      const entry = running.get(key);
      if (!entry) throw new Error(`pod ${key} is not running on ${nodeName}`);
      lost.add(key);
      for (const container of entry.containers) container.child.kill('SIGKILL');
      await Promise.all(entry.containers.map((container) => container.exited));
    },
    pids(namespace, name) {
      const key = `${namespace}/${name}`;
      const entry = running.get(key);
      if (!entry) throw new Error(`pod ${key} is not running on ${nodeName}`);
      return entry.containers.map((container) => {
        if (container.child.pid === undefined)
          throw new Error(`pod ${key}: ${container.name} has no process`);
        return container.child.pid;
      });
    },
    logs(namespace, name, container) {
      const key = `${namespace}/${name}`;
      const ran = running.get(key) ?? finished.get(key);
      if (!ran) throw new Error(`pod ${key} never ran on ${nodeName}`);
      const containerName = container ?? ran.pod.spec?.containers[0]?.name ?? '';
      return readFileSync(join(ran.dir, `${containerName}.log`), 'utf8');
    },
    async stop() {
      stopping = true;
      await informer.stop();
      for (const entry of running.values())
        for (const container of entry.containers) container.child.kill('SIGKILL');
      await Promise.all(
        [...running.values()].flatMap((entry) => entry.containers.map((container) => container.exited)),
      );
      await Promise.all(queues.values());
      await kubelet.close();
    },
  };
}

function containerState(name: string, state: V1ContainerStatus['state']): V1ContainerStatus {
  return { name, state, ready: state?.running !== undefined, restartCount: 0, image: 'local', imageID: '' };
}

/** The fake node pods are bound to: Ready, with GPUs to advertise and a kubelet port that serves logs. */
async function registerNode(core: CoreV1Api, name: string, gpus: number, kubeletPort: number): Promise<void> {
  const capacity = { cpu: '16', memory: '64Gi', pods: '110', 'nvidia.com/gpu': String(gpus) };
  try {
    await core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
  } catch (error) {
    if (!(error instanceof ApiException && error.code === 409)) throw error;
  }
  const node = await core.readNode({ name });
  await core.replaceNodeStatus({
    name,
    body: {
      ...node,
      status: {
        capacity,
        allocatable: capacity,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bacl test pod runner' },
        ],
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
      },
    },
  });
}
