import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { ApiException, CoreV1Api, Log, type V1Pod } from '@kubernetes/client-node';
import type { KubeCluster } from './kube.js';
import { startPodRunner, type PodRunner } from './pod-runner.js';
import { sharedKube } from './servers.js';
import { waitFor } from './wait.js';

describe('harness: test pod runner (stand-in for scheduler + kubelet)', function () {
  this.timeout(120_000);
  let core: CoreV1Api;
  let cluster: KubeCluster;
  let runner: PodRunner;
  let namespace: string;

  before(async function () {
    cluster = await sharedKube();
    const kubeConfig = cluster.kubeConfig();
    core = kubeConfig.makeApiClient(CoreV1Api);
    namespace = `runner-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    runner = await startPodRunner(kubeConfig, { namespaces: [namespace] });
  });

  after(async function () {
    await runner?.stop();
  });

  const pod = (name: string, script: string, extra: Partial<V1Pod['spec']> = {}): V1Pod => ({
    metadata: { name, namespace, labels: { app: 'smoke' } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'ignored', command: ['/bin/sh', '-c', script] }],
      ...extra,
    },
  });

  /** Polls the API (the runner's writes are what is under test) until `done` holds; returns the pod then. */
  async function podWhen(
    name: string,
    done: (pod: V1Pod | undefined) => boolean,
    timeoutMs = 20_000,
  ): Promise<V1Pod | undefined> {
    let current: V1Pod | undefined;
    const seen = await waitFor(
      `pod ${name}: condition`,
      async () => {
        current = await core.readNamespacedPod({ name, namespace }).catch((error: unknown) => {
          if (error instanceof ApiException && error.code === 404) return undefined;
          throw error;
        });
        return done(current) && { pod: current };
      },
      { timeoutMs, last: () => current?.status },
    );
    return seen.pod;
  }

  it("reports the termination message file as the kubelet does: the container's path, the last 4096 bytes", async function () {
    const terminated = async (name: string) => {
      const done = await podWhen(name, (current) =>
        ['Succeeded', 'Failed'].includes(current?.status?.phase ?? ''),
      );
      return done?.status?.containerStatuses?.[0]?.state?.terminated;
    };
    // The default path, named by an env value (rewritten to the pod's own file, as a bind mount would be).
    await core.createNamespacedPod({
      namespace,
      body: pod('message', 'printf \'{"AP":0.25}\' > "$MESSAGE_FILE"', {
        containers: [
          {
            name: 'main',
            image: 'ignored',
            command: ['/bin/sh', '-c', 'printf \'{"AP":0.25}\' > "$MESSAGE_FILE"'],
            env: [{ name: 'MESSAGE_FILE', value: '/dev/termination-log' }],
          },
        ],
      }),
    });
    expect((await terminated('message'))?.message).to.equal('{"AP":0.25}');
    // A path of its own, in an argument; 5000 bytes: the kubelet keeps the last 4096.
    const long = 'x'.repeat(904) + 'y'.repeat(4096);
    await core.createNamespacedPod({
      namespace,
      body: pod('long-message', '', {
        containers: [
          {
            name: 'main',
            image: 'ignored',
            command: ['/bin/sh', '-c', `printf '%s' '${long}' > "$0"`, '/var/run/result'],
            terminationMessagePath: '/var/run/result',
          },
        ],
      }),
    });
    const cut = (await terminated('long-message'))?.message;
    expect(cut).to.have.length(4096);
    expect(cut).to.equal('y'.repeat(4096));
    // Nothing written: no message; FallbackToLogsOnError and a failure: the log's tail instead.
    await core.createNamespacedPod({ namespace, body: pod('no-message', 'echo hello') });
    expect((await terminated('no-message'))?.message).to.equal(undefined);
    await core.createNamespacedPod({
      namespace,
      body: pod('fallback', '', {
        containers: [
          {
            name: 'main',
            image: 'ignored',
            command: ['/bin/sh', '-c', 'echo first; echo "the reason"; exit 3'],
            terminationMessagePolicy: 'FallbackToLogsOnError',
          },
        ],
      }),
    });
    expect((await terminated('fallback'))?.message).to.equal('first\nthe reason');
  });

  it('binds a pod, runs its command with the pod env, and reports Succeeded with exit code 0', async function () {
    await core.createNamespacedPod({
      namespace,
      body: pod('ok', 'echo "rank=$RANK pod=$POD_NAME ns=$POD_NS"', {
        containers: [
          {
            name: 'main',
            image: 'ignored',
            command: ['/bin/sh', '-c', 'echo "rank=$RANK pod=$POD_NAME ns=$POD_NS"'],
            env: [
              { name: 'RANK', value: '3' },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            ],
          },
        ],
      }),
    });
    const done = await podWhen('ok', (current) => current?.status?.phase === 'Succeeded');
    expect(done?.spec?.nodeName).to.equal(runner.nodeName);
    expect(done?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).to.equal(0);
    expect(runner.logs(namespace, 'ok')).to.equal(`rank=3 pod=ok ns=${namespace}\n`);
  });

  it('passes a Secret as environment through envFrom, an explicit env entry winning', async function () {
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'creds' }, stringData: { AWS_ACCESS_KEY_ID: 'id-1', REGION: 'from-secret' } },
    });
    await core.createNamespacedPod({
      namespace,
      body: pod('envfrom', '', {
        containers: [
          {
            name: 'main',
            image: 'ignored',
            command: ['/bin/sh', '-c', 'echo "$AWS_ACCESS_KEY_ID $REGION $S3_REGION"'],
            envFrom: [{ secretRef: { name: 'creds' } }, { prefix: 'S3_', secretRef: { name: 'creds' } }],
            env: [{ name: 'REGION', value: 'explicit' }],
          },
        ],
      }),
    });
    await podWhen('envfrom', (current) => current?.status?.phase === 'Succeeded');
    expect(runner.logs(namespace, 'envfrom')).to.equal('id-1 explicit from-secret\n');
  });

  it('reports a non-zero exit as Failed with that exit code', async function () {
    await core.createNamespacedPod({ namespace, body: pod('fails', 'exit 3') });
    const done = await podWhen('fails', (current) => current?.status?.phase === 'Failed');
    expect(done?.status?.containerStatuses?.[0]?.state?.terminated).to.include({
      exitCode: 3,
      reason: 'Error',
    });
  });

  it('mounts a ConfigMap volume and rewrites paths under its mountPath', async function () {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { 'config.yaml': 'epochs: 2\n' } },
    });
    await core.createNamespacedPod({
      namespace,
      body: pod('mounted', 'cat "$BACL_CONFIG"', {
        volumes: [{ name: 'config', configMap: { name: 'cfg' } }],
        containers: [
          {
            name: 'main',
            image: 'ignored',
            command: ['/bin/sh', '-c', 'cat "$BACL_CONFIG"'],
            env: [{ name: 'BACL_CONFIG', value: '/etc/bacl/config.yaml' }],
            volumeMounts: [{ name: 'config', mountPath: '/etc/bacl' }],
          },
        ],
      }),
    });
    await podWhen('mounted', (current) => current?.status?.phase === 'Succeeded');
    expect(runner.logs(namespace, 'mounted')).to.equal('epochs: 2\n');
  });

  it('stops a running pod that is deleted (SIGTERM) and removes it', async function () {
    await core.createNamespacedPod({
      namespace,
      body: pod('long', 'trap "exit 0" TERM; while true; do sleep 0.1; done'),
    });
    await podWhen('long', (current) => current?.status?.phase === 'Running');
    await core.deleteNamespacedPod({ name: 'long', namespace });
    await podWhen('long', (current) => current === undefined);
  });

  it('fails a running pod on demand with the given exit code', async function () {
    await core.createNamespacedPod({ namespace, body: pod('victim', 'sleep 60') });
    await podWhen('victim', (current) => current?.status?.phase === 'Running');
    await runner.failPod(namespace, 'victim', 137);
    const done = await podWhen('victim', (current) => current?.status?.phase === 'Failed');
    expect(done?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).to.equal(137);
  });

  it('fails a pod it cannot run (no command) with a reason', async function () {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'no-command', namespace },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x' }] },
      },
    });
    const done = await podWhen('no-command', (current) => current?.status?.phase === 'Failed');
    expect(done?.status?.reason).to.equal('NoCommand');
  });

  it('serves container logs through the API server (pods/log, tailLines, follow)', async function () {
    await core.createNamespacedPod({
      namespace,
      body: pod('chatty', 'for i in 1 2 3; do echo "line $i"; sleep 0.3; done'),
    });
    await podWhen('chatty', (current) => current?.status?.phase === 'Running');
    // follow: the stream stays open while the container writes and ends when it exits
    const followed = await followLogs(cluster, namespace, 'chatty');
    expect(followed).to.equal('line 1\nline 2\nline 3\n');
    const tail = await core.readNamespacedPodLog({ name: 'chatty', namespace, tailLines: 2 });
    expect(tail).to.equal('line 2\nline 3\n');
    const viaKubectl = await cluster.kubectl(['logs', '-n', namespace, 'chatty']);
    expect(viaKubectl.stdout).to.equal('line 1\nline 2\nline 3\n');
  });

  it("losePod() kills one pod's processes and freezes it: Running, its deletion never confirmed; others run on", async function () {
    await core.createNamespacedPod({ namespace, body: pod('lost-one', 'sleep 60') });
    await core.createNamespacedPod({ namespace, body: pod('kept-one', 'sleep 0.5; exit 0') });
    await podWhen('lost-one', (current) => current?.status?.phase === 'Running');
    const [pid] = runner.pids(namespace, 'lost-one');
    expect(pid).to.be.a('number');
    await runner.losePod(namespace, 'lost-one');
    expect(() => process.kill(pid!, 0), 'its process is gone').to.throw();
    await core.deleteNamespacedPod({ name: 'lost-one', namespace });
    const kept = await podWhen('kept-one', (current) => current?.status?.phase === 'Succeeded');
    expect(kept?.status?.phase).to.equal('Succeeded');
    const stuck = await podWhen('lost-one', () => true);
    expect(stuck?.metadata?.deletionTimestamp, 'deletion requested').to.not.equal(undefined);
    expect(stuck?.status?.phase, 'status frozen').to.equal('Running');
    await core.deleteNamespacedPod({ name: 'lost-one', namespace, gracePeriodSeconds: 0 }); // force, as the operator does
  });

  // Last: the runner is no use after its node is lost.
  it('after loseNode(), a deleted pod stays Terminating (what the operator must detect)', async function () {
    await core.createNamespacedPod({ namespace, body: pod('stranded', 'sleep 60') });
    await podWhen('stranded', (current) => current?.status?.phase === 'Running');
    runner.loseNode();
    await core.deleteNamespacedPod({ name: 'stranded', namespace });
    await sleep(1_000);
    const stuck = await podWhen('stranded', () => true);
    expect(stuck?.metadata?.deletionTimestamp, 'deletion requested').to.not.equal(undefined);
    expect(stuck?.status?.phase, 'the lost node never reported the end').to.equal('Running');
  });
});

/** Streams a pod's log with follow=true through the API server until the server ends the stream. */
async function followLogs(cluster: KubeCluster, namespace: string, name: string): Promise<string> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const ended = new Promise<void>((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
  });
  await new Log(cluster.kubeConfig()).log(namespace, name, 'main', sink, { follow: true });
  await ended;
  return text;
}
