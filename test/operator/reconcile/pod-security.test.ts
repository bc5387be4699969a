import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { jobStages } from '../../../common/internal.js';
import {
  buildPurgePod,
  buildWorkerPod,
  terminationMessagePath,
  workerUid,
} from '../../../operator/internal.js';
import { job } from './fixtures.js';

const lvis = job({
  nodes: 2,
  gpusPerNode: 8,
  nats: { url: 'nats://nats.bacl:4222', credentialsSecret: 'nats-creds' },
  s3: {
    uri: 's3://bacl/',
    endpoint: 'http://minio:9000',
    forcePathStyle: true,
    credentialsSecret: 's3-creds',
  },
});

/** Every pod the operator creates: each stage's worker pod and the run-data purge pod. */
const pods: [string, V1Pod][] = [
  ...jobStages.map((stage): [string, V1Pod] => [
    `the ${stage} worker pod`,
    buildWorkerPod(lvis, { stage, attempt: 1, nodeRank: 1 }),
  ]),
  ['the purge pod', buildPurgePod(lvis)],
];

describe('operator/reconcile/pod-security: how the pods the operator creates run (ADR 0037)', function () {
  for (const [what, pod] of pods)
    describe(what, function () {
      const spec = pod.spec!;
      const container = spec.containers[0]!;

      it('runs as the numeric non-root user of the worker image, with RuntimeDefault seccomp', function () {
        expect(spec.securityContext).to.deep.include({
          runAsNonRoot: true,
          runAsUser: workerUid,
          runAsGroup: workerUid,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(workerUid).to.be.greaterThan(0);
      });

      it('cannot escalate: no privilege, every capability dropped, read-only root', function () {
        expect(container.securityContext).to.deep.include({
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(spec.hostNetwork ?? false).to.equal(false);
        expect(spec.hostPID ?? false).to.equal(false);
      });

      it('has no service-account token and writes only to emptyDirs and its termination message', function () {
        expect(spec.automountServiceAccountToken).to.equal(false);
        const writable = (container.volumeMounts ?? []).filter((mount) => !mount.readOnly);
        for (const mount of writable) {
          const volume = spec.volumes?.find((v) => v.name === mount.name);
          expect(volume?.emptyDir, `${mount.mountPath} is writable`).to.not.equal(undefined);
        }
        expect(writable.map((mount) => mount.mountPath)).to.deep.equal(['/tmp']);
        expect(container.terminationMessagePath).to.equal(terminationMessagePath);
      });

      it('gets credentials only by Secret reference, never as values', function () {
        expect(container.envFrom).to.deep.equal([{ secretRef: { name: 's3-creds' } }]);
        const names = (container.env ?? []).map((variable) => variable.name);
        for (const secretName of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
          expect(names).to.not.include(secretName);
        expect((container.env ?? []).every((variable) => variable.valueFrom === undefined)).to.equal(true);
      });
    });
});
