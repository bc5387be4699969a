// The operator at scale: N BaclJobs (default 200, BACL_BENCH_OPERATOR_JOBS) created at once against a real
// kube-apiserver + etcd, with the test pod runner as scheduler and kubelet (each stage's pod runs `sleep`).
// Measures the operator's own API requests per job lifecycle (counted client-side, on every request its
// KubeConfig signs, so the pod runner's and this file's requests are not mixed in), time to all-Running and
// all-Succeeded, reconcile latency p50/p99, and the operator's requests per minute while every job is running
// and nothing changes (goal: zero: watches only, no polling). The benchmark itself lists the jobs once a second
// to see their states, with its own client.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CoreV1Api, CustomObjectsApi, KubeConfig, type RequestContext } from '@kubernetes/client-node';
import { packageRoot, type BaclJob } from '../common/index.js';
import { runController, bacljobs, crdPath, createLogger, silentLogger } from '../operator/internal.js';
import { startKube, startNats, startPodRunner, startS3 } from '../test/harness/index.js';
import { minimalJob } from '../test/operator/fixtures.js';
import { cleanWorkDirs } from '../test/harness/workdir.js';
import type { Benchmark, BenchFigure } from './benchmark.js';

const jobCount = Number(process.env.BACL_BENCH_OPERATOR_JOBS ?? 200);
const steadyWindowMs = 10_000;

/** A KubeConfig that counts every request it signs (client-node signs each API call and each watch). */
class CountingKubeConfig extends KubeConfig {
  readonly requests: { method: string; watch: boolean }[] = [];
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    this.requests.push({ method: context.getHttpMethod(), watch: context.getUrl().includes('watch=true') });
    return super.applySecurityAuthentication(context);
  }
}

/** What this file reads of a job from its watch. */
interface WatchedJob {
  metadata: { name: string };
  status?: BaclJob['status'];
}

const percentile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

const benchmark: Benchmark = {
  title: `bacl-operator: ${jobCount} BaclJobs created at once (real apiserver, test pod runner)`,
  async run({ signal, log }) {
    const [kube, s3, nats] = await Promise.all([
      startKube({ signal }),
      startS3({ signal }),
      startNats({ signal }),
    ]);
    const stop = new AbortController();
    const stopAll = () => stop.abort();
    signal.addEventListener('abort', stopAll, { once: true });
    try {
      const applied = await kube.kubectl(['apply', '--server-side', '-f', join(packageRoot(), crdPath)]);
      if (applied.code !== 0) throw new Error(`installing the CRD failed: ${applied.stderr}`);
      await kube.kubectl(['wait', '--for=condition=Established', 'crd/bacljobs.bacl.dev', '--timeout=60s']);
      const admin = kube.kubeConfig();
      const core = admin.makeApiClient(CoreV1Api);
      const custom = admin.makeApiClient(CustomObjectsApi);
      const namespace = 'bench';
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await core.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name: 's3-credentials' },
          stringData: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
        },
      });
      await s3.client().send(new CreateBucketCommand({ Bucket: 'bench' }));
      const runner = await startPodRunner(admin, { gpus: 1000 });

      // Job states, listed once a second by the benchmark with its own client (not counted as the operator's).
      const running = new Map<string, number>();
      const succeeded = new Map<string, number>();
      const observeJobs = async () => {
        const list = (await custom.listNamespacedCustomObject({ ...bacljobs, namespace })) as {
          items: WatchedJob[];
        };
        for (const job of list.items) {
          const state = job.status?.state;
          const name = job.metadata.name;
          if ((state === 'Running' || state === 'Succeeded') && !running.has(name))
            running.set(name, Date.now());
          if (state === 'Succeeded' && !succeeded.has(name)) succeeded.set(name, Date.now());
          if (state === 'Failed')
            throw new Error(`job ${name} failed: ${JSON.stringify(job.status?.conditions)}`);
        }
      };

      const gateDir = mkdtempSync(join(tmpdir(), 'bacl-bench-gate-'));
      const gate = join(gateDir, 'representation');
      execFileSync('mkfifo', [gate]);
      const counting = new CountingKubeConfig();
      counting.loadFromFile(kube.kubeconfigPath);
      const latencies: number[] = [];
      const controller = runController({
        kubeConfig: counting,
        namespace,
        logger: process.env.BACL_BENCH_DEBUG ? createLogger({ level: 'debug' }) : silentLogger,
        signal: stop.signal,
        workerCommand: [
          '/bin/sh',
          '-c',
          // The representation stage blocks on a FIFO until the benchmark opens it: every job stays Running,
          // unchanged, through the steady-state window, whatever the time to all-Running was.
          // The evaluate node-0 pod reports the metrics in its termination message, as rank 0 does (ADR 0037).
          `if [ "$BACL_STAGE" = representation ]; then cat '${gate}' > /dev/null; fi; sleep 1; ` +
            `if [ "$BACL_STAGE" = evaluate ] && [ "$NODE_RANK" = 0 ]; then ` +
            `printf '%s' '{"AP":0.25,"APr":0.15}' > "$BACL_TERMINATION_LOG"; fi`,
        ],
        onReconciled: (_key, ms) => latencies.push(ms),
      });

      const names = Array.from({ length: jobCount }, (_, i) => `job-${String(i).padStart(4, '0')}`);
      const started = Date.now();
      await inBatches(names, 25, async (name) => {
        const body = minimalJob(name, {
          nats: { url: nats.url },
          s3: {
            uri: 's3://bench',
            endpoint: s3.endpoint,
            region: s3.region,
            forcePathStyle: true,
            credentialsSecret: 's3-credentials',
          },
        });
        await custom.createNamespacedCustomObject({ ...bacljobs, namespace, body });
      });
      log(`created ${jobCount} jobs in ${Date.now() - started} ms`);

      const waitUntil = async (what: string, done: () => boolean, limitMs: number) => {
        const deadline = Date.now() + limitMs;
        let nextReport = Date.now() + 10_000;
        while (!done()) {
          if (Date.now() > deadline || stop.signal.aborted) throw new Error(`timed out waiting for ${what}`);
          if (Date.now() > nextReport) {
            log(`waiting for ${what}: ${running.size} running, ${succeeded.size} succeeded`);
            nextReport += 10_000;
          }
          await sleep(1000);
          await observeJobs();
        }
        return Date.now() - started;
      };
      const allRunningMs = await waitUntil('all jobs Running', () => running.size === jobCount, 600_000);
      // Steady state: every job running, nothing changing; the operator should send nothing but keep watching.
      await sleep(2000);
      const before = counting.requests.length;
      await sleep(steadyWindowMs);
      const steadyRequests = counting.requests.length - before;
      closeSync(openSync(gate, 'w')); // every reader sees end-of-file: the representation stages finish
      const allSucceededMs = await waitUntil(
        'all jobs Succeeded',
        () => succeeded.size === jobCount,
        900_000,
      );
      await sleep(2000); // the last status writes and Events
      stop.abort();
      log('stopping the operator');
      await controller;
      log('stopping the pod runner');
      await runner.stop();
      rmSync(gateDir, { recursive: true, force: true });

      const requests = counting.requests.filter((request) => !request.watch);
      const byMethod = new Map<string, number>();
      for (const request of requests) byMethod.set(request.method, (byMethod.get(request.method) ?? 0) + 1);
      log(`operator requests by method: ${JSON.stringify(Object.fromEntries(byMethod))}`);
      log(`pods started by the runner: ${runner.started.length}`);
      const sorted = [...latencies].sort((a, b) => a - b);
      const figures: BenchFigure[] = [
        {
          name: 'API requests per job lifecycle (operator, non-watch)',
          value: requests.length / jobCount,
          unit: 'req/job',
        },
        {
          name: 'watch requests (whole run)',
          value: counting.requests.length - requests.length,
          unit: 'watches',
        },
        { name: 'time to all Running', value: allRunningMs / 1000, unit: 's' },
        { name: 'time to all Succeeded', value: allSucceededMs / 1000, unit: 's' },
        { name: 'reconcile latency p50', value: percentile(sorted, 0.5), unit: 'ms' },
        { name: 'reconcile latency p99', value: percentile(sorted, 0.99), unit: 'ms' },
        { name: 'reconciles', value: latencies.length, unit: 'reconciles' },
        {
          name: 'requests per minute at steady state',
          value: (steadyRequests * 60_000) / steadyWindowMs,
          unit: 'req/min',
        },
      ];
      return figures;
    } finally {
      stop.abort();
      signal.removeEventListener('abort', stopAll);
      await Promise.all([kube.stop(), s3.stop(), nats.stop()]);
      cleanWorkDirs(() => undefined); // the servers' and the pod runner's temp dirs
    }
  },
};

export default benchmark;
