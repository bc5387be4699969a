// A real apiserver with the BaclJob CRD, a namespace per test, real S3 and NATS for the job's run data and
// progress, and the operator's controller running in-process against them.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CoreV1Api,
  CustomObjectsApi,
  type CoreV1Event,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { packageRoot, type BaclJob, type BaclJobSpecInput } from '../../../common/index.js';
import {
  runController,
  type ControllerOptions,
  bacljobs,
  crdPath,
  createLogger,
  OperatorMetrics,
} from '../../../operator/internal.js';
import {
  sharedKube,
  sharedNats,
  sharedS3,
  startPodRunner,
  type KubeCluster,
  type PodRunner,
  type S3Server,
} from '../../harness/index.js';
import { minimalJob } from '../fixtures.js';

export { waitFor } from '../../harness/index.js';

export interface TestWorld {
  cluster: KubeCluster;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  s3: S3Server;
  natsUrl: string;
  bucket: string;
}

let world: Promise<TestWorld> | undefined;

/** The shared servers, the CRD installed (as users do: kubectl apply --server-side) and one bucket. */
export function testWorld(): Promise<TestWorld> {
  return (world ??= (async () => {
    const [cluster, s3, nats] = await Promise.all([sharedKube(), sharedS3(), sharedNats()]);
    const applied = await cluster.kubectl(['apply', '--server-side', '-f', join(packageRoot(), crdPath)]);
    if (applied.code !== 0) throw new Error(`installing the CRD failed: ${applied.stderr}`);
    const established = await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/bacljobs.bacl.dev',
      '--timeout=60s',
    ]);
    if (established.code !== 0) throw new Error(`the CRD was not established: ${established.stderr}`);
    const bucket = `operator-${randomBytes(3).toString('hex')}`;
    await s3.client().send(new CreateBucketCommand({ Bucket: bucket }));
    const kubeConfig = cluster.kubeConfig();
    return {
      cluster,
      kubeConfig,
      core: kubeConfig.makeApiClient(CoreV1Api),
      custom: kubeConfig.makeApiClient(CustomObjectsApi),
      s3,
      natsUrl: nats.url,
      bucket,
    };
  })());
}

/** A fresh namespace with the S3 credentials Secret jobs name. */
export async function newNamespace(w: TestWorld, prefix: string): Promise<string> {
  const namespace = `${prefix}-${randomBytes(3).toString('hex')}`;
  await w.core.createNamespace({ body: { metadata: { name: namespace } } });
  await w.core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: 's3-credentials' },
      stringData: { AWS_ACCESS_KEY_ID: w.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: w.s3.secretAccessKey },
    },
  });
  return namespace;
}

export function jobManifest(w: TestWorld, name: string, spec: Partial<BaclJobSpecInput> = {}) {
  return minimalJob(name, {
    nats: { url: w.natsUrl },
    s3: {
      uri: `s3://${w.bucket}`,
      endpoint: w.s3.endpoint,
      region: w.s3.region,
      forcePathStyle: true,
      credentialsSecret: 's3-credentials',
    },
    ...spec,
  });
}

export async function createJob(
  w: TestWorld,
  namespace: string,
  name: string,
  spec: Partial<BaclJobSpecInput> = {},
): Promise<BaclJob> {
  const body = { ...jobManifest(w, name, spec), metadata: { name, namespace } };
  return (await w.custom.createNamespacedCustomObject({ ...bacljobs, namespace, body })) as BaclJob;
}

export async function getJob(w: TestWorld, namespace: string, name: string): Promise<BaclJob | undefined> {
  try {
    return (await w.custom.getNamespacedCustomObject({ ...bacljobs, namespace, name })) as BaclJob;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

export async function patchSpec(w: TestWorld, namespace: string, name: string, spec: object): Promise<void> {
  const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
  await w.custom.patchNamespacedCustomObject(
    { ...bacljobs, namespace, name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export async function podsOf(w: TestWorld, namespace: string, job: string): Promise<V1Pod[]> {
  const list = await w.core.listNamespacedPod({ namespace, labelSelector: `bacl.dev/job=${job}` });
  return list.items;
}

export async function eventsOf(w: TestWorld, namespace: string, job: string): Promise<CoreV1Event[]> {
  const list = await w.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${job}` });
  return list.items;
}

/** A job's state as a short string, for failure messages. */
export const stateOf = (job: BaclJob | undefined) =>
  job && {
    state: job.status?.state,
    stage: job.status?.stage,
    attempt: job.status?.attempt,
    conditions: job.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`),
  };

export interface RunningOperator {
  metrics: OperatorMetrics;
  logs: string[];
  stop(): Promise<void>;
}

/** The controller in-process for one namespace, with short grace periods; stop() waits until it stopped. */
export function startOperator(
  w: TestWorld,
  namespace: string,
  options: Partial<ControllerOptions> = {},
): RunningOperator {
  const abort = new AbortController();
  const metrics = new OperatorMetrics();
  const logs: string[] = [];
  const running = runController({
    kubeConfig: w.kubeConfig,
    namespace,
    logger: createLogger({ write: (line) => logs.push(line), level: 'debug' }),
    metrics,
    signal: abort.signal,
    terminatingGraceSeconds: 2,
    progressIntervalMs: 200,
    workerCommand: ['/bin/sh', '-c', 'sleep 0.2'],
    ...options,
  });
  running.catch(() => undefined);
  return {
    metrics,
    logs,
    async stop() {
      abort.abort();
      await running;
    },
  };
}

export interface ControllerSuite {
  /** The shared world (after the suite's `before` hook). */
  readonly w: TestWorld;
  /**
   * Starts the controller for `namespace` (startOperator). Every controller started in a test is stopped after
   * it, and a failed test prints their logs, so a test only stops one itself to restart it.
   */
  start(namespace: string, options?: Partial<ControllerOptions>): RunningOperator;
}

/**
 * The mocha hooks the controller tests share, registered in the calling `describe`: the world, a pod runner
 * for every namespace when `podRunner` (it plays scheduler and kubelet), and the controllers each test starts.
 */
export function controllerSuite(options: { podRunner?: boolean } = {}): ControllerSuite {
  let world: TestWorld | undefined;
  let runner: PodRunner | undefined;
  let started: RunningOperator[] = [];
  before(async function () {
    world = await testWorld();
    if (options.podRunner) runner = await startPodRunner(world.kubeConfig);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      for (const operator of started) console.log(operator.logs.join(''));
    await Promise.all(started.map((operator) => operator.stop()));
    started = [];
  });
  after(async function () {
    await runner?.stop();
  });
  return {
    get w() {
      if (world === undefined) throw new Error('controllerSuite: the world is made in the before hook');
      return world;
    },
    start(namespace, startOptions = {}) {
      const operator = startOperator(this.w, namespace, startOptions);
      started.push(operator);
      return operator;
    },
  };
}
