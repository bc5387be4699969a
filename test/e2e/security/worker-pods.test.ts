// Issue #16, security: the pods the operator creates (worker pods of every stage, the run-data purge pod) pass
// the apiserver's own Pod Security admission at the "restricted" level, which requires non-root, no privilege
// escalation, every capability dropped and the RuntimeDefault seccomp profile, and carry no service-account
// token. The namespace enforces it, so a pod that broke a rule would be refused and the job would never run
// (a non-compliant pod is refused here first, proving enforcement is on). The pure table tests of the same
// fields are test/operator/reconcile/pod-security.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { packageRoot } from '../../../common/index.js';
import { bacljobs, purgePodName, workerUid } from '../../../operator/internal.js';
import { startPodRunner, type PodRunner } from '../../harness/index.js';
import {
  createJob,
  getJob,
  newNamespace,
  patchSpec,
  podsOf,
  startOperator,
  stateOf,
  testWorld,
  waitFor,
  type RunningOperator,
  type TestWorld,
} from '../../operator/controller/env.js';
import { recordReliability } from '../reliability/entries.js';

describe('e2e/security: worker and purge pods run restricted, without a token (ADR 0037)', function () {
  this.timeout(180_000);
  let w: TestWorld;
  let runner: PodRunner | undefined;
  let operator: RunningOperator | undefined;
  let namespace: string;

  before(async function () {
    w = await testWorld();
    namespace = await newNamespace(w, 'sec-pods');
    await w.core.patchNamespace(
      {
        name: namespace,
        body: {
          metadata: {
            labels: {
              'pod-security.kubernetes.io/enforce': 'restricted',
              'pod-security.kubernetes.io/enforce-version': 'latest',
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    runner = await startPodRunner(w.kubeConfig, { namespaces: [namespace] });
  });
  after(async function () {
    await operator?.stop();
    await runner?.stop();
  });

  it('the namespace refuses a pod that breaks the restricted profile (enforcement is on)', async function () {
    const refused = await w.core
      .createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'rooted' },
          spec: { containers: [{ name: 'c', image: 'x', command: ['true'] }] },
        },
      })
      .then(
        () => 'created',
        (error: unknown) =>
          (JSON.parse(String((error as { body?: unknown }).body)) as { message: string }).message,
      );
    expect(refused).to.match(/violates PodSecurity "restricted:latest"/);
  });

  it('admits every pod of a job, purge pod included, with the security fields and no token', async function () {
    const metrics = JSON.stringify({ AP: 0.3 });
    operator = startOperator(w, namespace, {
      workerCommand: [
        '/bin/sh',
        '-c',
        'sleep 0.2; if [ "$BACL_STAGE" = evaluate ] && [ "$NODE_RANK" = 0 ]; then ' +
          `printf '%s' '${metrics}' > "$BACL_TERMINATION_LOG"; fi`,
      ],
    });
    await createJob(w, namespace, 'restricted', { nodes: 2, gpusPerNode: 1 });
    const done = await waitFor(
      'the job to succeed',
      async () => {
        const job = await getJob(w, namespace, 'restricted');
        return job?.status?.state === 'Succeeded' || job?.status?.state === 'Failed' ? job : undefined;
      },
      {
        last: async () => ({
          job: stateOf(await getJob(w, namespace, 'restricted')),
          logs: operator?.logs.slice(-5),
        }),
      },
    );
    expect(done.status?.state, JSON.stringify(stateOf(done))).to.equal('Succeeded');
    const workers = await podsOf(w, namespace, 'restricted');
    expect(workers).to.have.length(6);

    // Deleting with purge: the purge pod is admitted too, and the job goes once it succeeded.
    await patchSpec(w, namespace, 'restricted', { runPolicy: { deleteRunDataOnDelete: true } });
    let purge: V1Pod | undefined;
    await w.custom.deleteNamespacedCustomObject({ ...bacljobs, namespace, name: 'restricted' });
    await waitFor(
      'the purge pod',
      async () => {
        purge = (await podsOf(w, namespace, 'restricted')).find(
          (pod) => pod.metadata?.name === purgePodName('restricted'),
        );
        return purge !== undefined;
      },
      { last: () => Promise.resolve(operator?.logs.slice(-5)) },
    );
    await waitFor(
      'the job to be gone',
      async () => (await getJob(w, namespace, 'restricted')) === undefined,
      {
        last: () => Promise.resolve(operator?.logs.slice(-5)),
      },
    );

    const checked = [...workers, purge!];
    for (const pod of checked) {
      const spec = pod.spec!;
      const container = spec.containers[0]!;
      const what = pod.metadata?.name;
      expect(spec.automountServiceAccountToken, what).to.equal(false);
      expect(spec.securityContext, what).to.deep.include({ runAsNonRoot: true, runAsUser: workerUid });
      expect(spec.securityContext?.seccompProfile, what).to.deep.equal({ type: 'RuntimeDefault' });
      expect(container.securityContext, what).to.deep.include({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(
        (spec.volumes ?? []).filter(
          (volume) => volume.projected || volume.name.startsWith('kube-api-access'),
        ),
        `${what}: no token volume`,
      ).to.deep.equal([]);
      expect(container.terminationMessagePath, what).to.equal('/dev/termination-log');
    }

    recordReliability({
      kind: 'security',
      id: 'worker-pods-restricted',
      test: this.test?.titlePath().join(' > ') ?? 'worker-pods',
      property:
        'Worker pods of every stage and the run-data purge pod run non-root (numeric UID 65532), without privilege escalation, with every capability dropped, RuntimeDefault seccomp and a read-only root filesystem, and get no service-account token',
      evidence: `${checked.length} pods (${checked.map((pod) => pod.metadata?.name).join(', ')}) admitted by the apiserver in a namespace enforcing Pod Security "restricted:latest" (which refused a plain pod), each with automountServiceAccountToken=false and no token volume; the job Succeeded and its deletion purged through the purge pod`,
    });
  });

  it('the worker never talks to the Kubernetes API, so it needs no token', function () {
    const root = join(packageRoot(), 'worker');
    const offenders: string[] = [];
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(root, file), 'utf8');
      if (
        /@kubernetes\/client-node|KUBERNETES_SERVICE_HOST|serviceaccount\/token|\.\.\/operator\/|\.\.\/cli\//.test(
          text,
        )
      )
        offenders.push(file);
    }
    expect(offenders, 'worker files that reach the Kubernetes API').to.deep.equal([]);
    recordReliability({
      kind: 'security',
      id: 'worker-needs-no-token',
      test: this.test?.titlePath().join(' > ') ?? 'worker-pods',
      property: 'The worker needs no service-account token: it never calls the Kubernetes API',
      evidence:
        'No file under worker/ imports @kubernetes/client-node, the operator or the CLI, or reads KUBERNETES_SERVICE_HOST or a token path; the end-to-end job (test/e2e/security/credentials.test.ts) runs every stage with automountServiceAccountToken=false',
    });
  });
});
