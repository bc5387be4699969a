import { expect } from 'chai';
import { parse } from 'yaml';
import {
  buildConfigMap,
  buildPurgePod,
  buildService,
  buildWorkerPod,
  purgeGracePeriodSeconds,
} from '../../../operator/internal.js';
import { job } from './fixtures.js';

describe('operator/reconcile/objects: what the operator creates for a job', function () {
  const lvis = job({
    nodes: 4,
    gpusPerNode: 8,
    resources: { requests: { cpu: 32, memory: '256Gi', 'nvidia.com/gpu': 1 }, limits: { memory: '256Gi' } },
    nodeSelector: { 'node.kubernetes.io/instance-type': 'p4d.24xlarge' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    nats: { url: 'nats://nats.bacl:4222', credentialsSecret: 'nats-creds' },
    s3: {
      uri: 's3://bacl/',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      credentialsSecret: 's3-creds',
    },
  });

  it('a worker pod carries the rank environment contract', function () {
    const pod = buildWorkerPod(lvis, { stage: 'classifier', attempt: 2, nodeRank: 3 });
    const env = Object.fromEntries(pod.spec?.containers[0]?.env?.map((e) => [e.name, e.value]) ?? []);
    expect(env).to.deep.equal({
      BACL_JOB: 'ml/lvis',
      BACL_ATTEMPT: '2',
      BACL_STAGE: 'classifier',
      NODE_RANK: '3',
      WORLD_SIZE: '32',
      LOCAL_WORLD_SIZE: '8',
      NATS_URL: 'nats://nats.bacl:4222',
      NATS_CREDS: '/etc/bacl/nats/nats.creds',
      BACL_CONFIG: '/etc/bacl/config/config.yaml',
      BACL_RUN_URI: 's3://bacl/runs/ml/lvis/uid-1',
      BACL_CHECKPOINT_URI: 's3://bacl/runs/ml/lvis/uid-1',
      BACL_CHECKPOINT_EVERY_STEPS: '1000',
      BACL_CHECKPOINT_KEEP_LAST: '3',
      BACL_RESUME: 'auto',
      BACL_DATASET: 'lvis-v1',
      // spec.dataset names the manifests; the ranks read the shard prefix beside them.
      BACL_DATASET_TRAIN: 's3://bacl/datasets/lvis-v1/train',
      BACL_DATASET_VAL: 's3://bacl/datasets/lvis-v1/val',
      // The evaluate stage's rank 0 reports its metrics there (the container's terminationMessagePath).
      BACL_TERMINATION_LOG: '/dev/termination-log',
      // The pod's grace period, which bounds the final checkpoint on SIGTERM (ADR 0041): the default here.
      BACL_TERMINATION_GRACE_SECONDS: '120',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: 'http://minio:9000',
      BACL_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(pod.spec?.containers[0]?.envFrom).to.deep.equal([{ secretRef: { name: 's3-creds' } }]);
  });

  it('spec.s3.requestTimeoutSeconds reaches every rank and the purge pod as BACL_S3_REQUEST_TIMEOUT_SECONDS (ADR 0040)', function () {
    const envOf = (pod: ReturnType<typeof buildWorkerPod>) =>
      Object.fromEntries(pod.spec?.containers[0]?.env?.map((e) => [e.name, e.value]) ?? []);
    const stalling = job({ ...lvis.spec, s3: { ...lvis.spec.s3, requestTimeoutSeconds: 7 } });
    for (const stage of ['representation', 'classifier', 'evaluate'] as const) {
      for (const nodeRank of [0, 3]) {
        const env = envOf(buildWorkerPod(stalling, { stage, attempt: 1, nodeRank }));
        expect(env, `${stage} node ${nodeRank}`).to.include({ BACL_S3_REQUEST_TIMEOUT_SECONDS: '7' });
      }
    }
    expect(envOf(buildPurgePod(stalling))).to.include({ BACL_S3_REQUEST_TIMEOUT_SECONDS: '7' });
    // Unset: left out, so the worker's own default (120 s) applies.
    expect(
      envOf(buildWorkerPod(lvis, { stage: 'classifier', attempt: 0, nodeRank: 0 })),
    ).to.not.have.property('BACL_S3_REQUEST_TIMEOUT_SECONDS');
    expect(envOf(buildPurgePod(lvis))).to.not.have.property('BACL_S3_REQUEST_TIMEOUT_SECONDS');
  });

  it("the evaluate pods have training's rank environment: WORLD_SIZE is nodes x GPUs (ADR 0029)", function () {
    for (const nodeRank of [0, 3]) {
      const pod = buildWorkerPod(lvis, { stage: 'evaluate', attempt: 0, nodeRank });
      const env = Object.fromEntries(pod.spec?.containers[0]?.env?.map((e) => [e.name, e.value]) ?? []);
      expect(env).to.include({
        BACL_STAGE: 'evaluate',
        NODE_RANK: String(nodeRank),
        WORLD_SIZE: '32',
        LOCAL_WORLD_SIZE: '8',
      });
      const training = buildWorkerPod(lvis, { stage: 'classifier', attempt: 0, nodeRank });
      const trainingEnv = Object.fromEntries(
        training.spec?.containers[0]?.env?.map((e) => [e.name, e.value]) ?? [],
      );
      expect({ ...env, BACL_STAGE: 'classifier' }).to.deep.equal(trainingEnv);
    }
  });

  it('a CPU job (gpusPerNode 0) runs one rank per pod and requests no GPU', function () {
    const cpu = job({ nodes: 3, gpusPerNode: 0 });
    const pod = buildWorkerPod(cpu, { stage: 'representation', attempt: 0, nodeRank: 1 });
    const env = Object.fromEntries(pod.spec?.containers[0]?.env?.map((e) => [e.name, e.value]) ?? []);
    expect(env).to.include({ WORLD_SIZE: '3', LOCAL_WORLD_SIZE: '1' });
    expect(pod.spec?.containers[0]?.resources).to.deep.equal({ requests: {}, limits: {} });
  });

  it('requests the GPUs from gpusPerNode (overriding a hand-written GPU request) next to cpu and memory', function () {
    const pod = buildWorkerPod(lvis, { stage: 'representation', attempt: 0, nodeRank: 0 });
    expect(pod.spec?.containers[0]?.resources).to.deep.equal({
      requests: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': '8' },
      limits: { memory: '256Gi', 'nvidia.com/gpu': '8' },
    });
  });

  it('is named, labelled and owned so the operator (and kubectl -l) find it, and never restarted by the kubelet', function () {
    const pod = buildWorkerPod(lvis, { stage: 'representation', attempt: 1, nodeRank: 2 });
    expect(pod.metadata?.name).to.equal('lvis-rep-1-2');
    expect(pod.metadata?.namespace).to.equal('ml');
    expect(pod.metadata?.labels).to.include({
      'bacl.dev/job': 'lvis',
      'bacl.dev/stage': 'representation',
      'bacl.dev/attempt': '1',
      'bacl.dev/node-rank': '2',
    });
    expect(pod.metadata?.ownerReferences).to.deep.equal([
      {
        apiVersion: 'bacl.dev/v1alpha1',
        kind: 'BaclJob',
        name: 'lvis',
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.spec).to.include({
      restartPolicy: 'Never',
      hostname: 'lvis-rep-1-2',
      subdomain: 'lvis',
      enableServiceLinks: false,
    });
    expect(pod.spec?.nodeSelector).to.deep.equal({ 'node.kubernetes.io/instance-type': 'p4d.24xlarge' });
    expect(pod.spec?.tolerations).to.deep.equal([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(pod.spec?.volumes?.map((v) => v.name)).to.deep.equal(['config', 'scratch', 'nats-credentials']);
  });

  describe("spec.terminationGracePeriodSeconds is every worker pod's grace period (ADR 0041)", function () {
    const rows: { spec: number | undefined; pod: number; why: string }[] = [
      { spec: undefined, pod: 120, why: 'the default, sized for an LVIS final checkpoint' },
      { spec: 3, pod: 3, why: 'short, as the e2e fault tests use' },
      { spec: 30, pod: 30, why: "Kubernetes' own default, said explicitly" },
      { spec: 600, pod: 600, why: 'the maximum' },
    ];
    for (const row of rows) {
      it(`${row.spec ?? 'unset'} gives ${row.pod} s on every stage's pods and in the rank environment (${row.why})`, function () {
        const graced = job(row.spec === undefined ? {} : { terminationGracePeriodSeconds: row.spec });
        for (const stage of ['representation', 'classifier', 'evaluate'] as const) {
          for (const [attempt, nodeRank] of [
            [0, 0],
            [3, 1],
          ] as const) {
            const pod = buildWorkerPod(graced, { stage, attempt, nodeRank });
            expect(pod.spec?.terminationGracePeriodSeconds, `${stage} ${attempt}-${nodeRank}`).to.equal(
              row.pod,
            );
            const env = pod.spec?.containers[0]?.env?.find(
              (e) => e.name === 'BACL_TERMINATION_GRACE_SECONDS',
            );
            expect(env?.value).to.equal(String(row.pod));
          }
        }
      });
    }

    it("the purge pod keeps Kubernetes' 30 s whatever the job says: it writes nothing a grace would save", function () {
      for (const seconds of [3, 120, 600]) {
        const pod = buildPurgePod(job({ terminationGracePeriodSeconds: seconds }));
        expect(pod.spec?.terminationGracePeriodSeconds).to.equal(purgeGracePeriodSeconds).and.to.equal(30);
      }
    });
  });

  it('the ConfigMap holds the effective config as YAML; the Service is headless and selects the job', function () {
    const configMap = buildConfigMap(lvis);
    expect(configMap.metadata?.name).to.equal('lvis-config');
    expect(parse(configMap.data?.['config.yaml'] ?? '')).to.deep.equal(lvis.spec.config);
    const service = buildService(lvis);
    expect(service.metadata?.name).to.equal('lvis');
    expect(service.spec).to.deep.equal({
      clusterIP: 'None',
      selector: { 'bacl.dev/job': 'lvis' },
      publishNotReadyAddresses: true,
    });
    expect(service.metadata?.ownerReferences?.[0]?.uid).to.equal('uid-1');
  });
});
