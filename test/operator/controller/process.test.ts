import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { packageRoot } from '../../../common/index.js';
import { main, type HttpEndpoint } from '../../../operator/internal.js';
import { startPodRunner, type PodRunner } from '../../harness/index.js';
import { createJob, eventsOf, getJob, newNamespace, testWorld, waitFor, type TestWorld } from './env.js';

interface Instance {
  identity: string;
  stop: AbortController;
  exited: Promise<number>;
  endpoints: Promise<{ metrics?: HttpEndpoint; health?: HttpEndpoint }>;
  logs: string[];
}

/** The bacl-operator process (main) in-process: flags, /metrics, /healthz, leader election, clean stop. */
describe('bacl-operator process: endpoints and leader election', function () {
  this.timeout(120_000);
  let w: TestWorld;
  let runner: PodRunner;
  let namespace: string;
  const instances: Instance[] = [];

  before(async function () {
    w = await testWorld();
    runner = await startPodRunner(w.kubeConfig);
    namespace = await newNamespace(w, 'leader');
  });
  after(async function () {
    if (process.env.SHOW_LOGS) for (const instance of instances) console.log(instance.logs.join(''));
    for (const instance of instances) instance.stop.abort();
    await Promise.all(instances.map((instance) => instance.exited));
    await runner?.stop();
  });

  function start(identity: string): Instance {
    const stop = new AbortController();
    const logs: string[] = [];
    let listening: (endpoints: { metrics?: HttpEndpoint; health?: HttpEndpoint }) => void = () => undefined;
    const endpoints = new Promise<{ metrics?: HttpEndpoint; health?: HttpEndpoint }>(
      (resolve) => (listening = resolve),
    );
    const args = ['--kubeconfig', w.cluster.kubeconfigPath, '--namespace', namespace, '--leader-elect'];
    args.push('--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0');
    const exited = main(
      args,
      { stdout: () => undefined, stderr: (text) => logs.push(text) },
      {
        signal: stop.signal,
        identity,
        onListening: listening,
        lease: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 },
        controller: { terminatingGraceSeconds: 2, workerCommand: ['/bin/sh', '-c', 'exec sleep 60'] },
      },
    );
    const instance = { identity, stop, exited, endpoints, logs };
    instances.push(instance);
    return instance;
  }

  const get = async (instance: Instance, which: 'metrics' | 'health', path: string) => {
    const port = (await instance.endpoints)[which]?.address.port;
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, text: await response.text() };
  };
  const leading = async (instance: Instance) =>
    /^bacl_operator_leader 1$/m.test((await get(instance, 'metrics', '/metrics')).text);

  it('serves /healthz and /metrics; exactly one of two instances leads and acts', async function () {
    const first = start('operator-a');
    await waitFor('operator-a to lead', () => leading(first));
    const second = start('operator-b');
    expect(await get(second, 'health', '/healthz')).to.deep.equal({ status: 200, text: 'ok\n' });
    expect((await get(second, 'metrics', '/nothing')).status).to.equal(404);

    await createJob(w, namespace, 'led');
    await waitFor(
      'the job to run',
      async () => (await getJob(w, namespace, 'led'))?.status?.state === 'Running',
    );
    expect(await leading(second), 'the second instance waits').to.equal(false);
    const metrics = (await get(first, 'metrics', '/metrics')).text;
    expect(metrics).to.match(/bacl_operator_reconcile_total\{result="success"\} \d+/);
    expect(metrics).to.contain('bacl_operator_jobs{state="Running"} 1');
    expect(metrics).to.contain('bacl_operator_reconcile_duration_seconds_bucket{le="+Inf"}');
    const instances = (await eventsOf(w, namespace, 'led')).map((event) => event.reportingInstance);
    expect(new Set(instances)).to.deep.equal(new Set(['operator-a']));
  });

  it('a leader stopped by its signal releases the Lease; the other takes over at once and exits 0 when stopped', async function () {
    const [first, second] = instances;
    if (!first || !second) this.skip(); // needs the previous test's instances
    first.stop.abort();
    expect(await first.exited).to.equal(0);
    expect(first.logs.join('')).to.contain('Released leader lease');
    await waitFor('operator-b to lead', () => leading(second), { timeoutMs: 2500 });
    second.stop.abort();
    expect(await second.exited).to.equal(0);
    expect(second.logs.join('')).to.contain('Stopped bacl-operator');
  });

  it('the bacl-operator bin stops cleanly on SIGTERM (exit 0)', async function () {
    const args = [join(packageRoot(), 'bin/bacl-operator.js'), '--kubeconfig', w.cluster.kubeconfigPath];
    args.push('--namespace', namespace, '--metrics-addr', '127.0.0.1:0', '--health-addr', '0');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the controller to start', () => Promise.resolve(stderr.includes('Started controller')), {
        last: () => Promise.resolve(stderr),
      });
      child.kill('SIGTERM');
      expect(await exited, stderr).to.equal(0);
      expect(stderr).to.contain('Stopped controller');
      expect(stderr).to.contain('Stopped bacl-operator');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an instance whose Lease is taken over stops acting and exits 1 (to be restarted as a candidate)', async function () {
    const third = start('operator-c');
    await waitFor('operator-c to lead', () => leading(third));
    const leases = {
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      namespace,
      name: 'bacl-operator',
    };
    const lease = (await w.custom.getNamespacedCustomObject(leases)) as { spec: Record<string, unknown> };
    const renewTime = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    await w.custom.replaceNamespacedCustomObject({
      ...leases,
      body: {
        ...lease,
        spec: { ...lease.spec, holderIdentity: 'intruder', renewTime, leaseDurationSeconds: 60 },
      },
    });
    expect(await third.exited).to.equal(1);
    expect(third.logs.join('')).to.contain('Lost leader lease');
  });
});
