import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

// How every pod the operator creates runs (worker and purge pods): as the worker image's non-root user, with no
// privilege escalation, no capabilities, the runtime's default seccomp profile, a read-only root filesystem
// (the worker writes only to /tmp, an emptyDir, and to its termination message file, which the kubelet mounts
// writable) and no service-account token (the worker never calls the Kubernetes API). This is the Pod Security
// Standards' "restricted" profile, which the apiserver enforces where a namespace asks for it. ADR 0037.

/** The worker image's user and group (Dockerfile.worker: USER 65532:65532, "nonroot"). */
export const workerUid = 65532;

export const workerPodSecurity: V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: workerUid,
  runAsGroup: workerUid,
  // emptyDir volumes are group-writable for this group, whatever user the image declares.
  fsGroup: workerUid,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const workerContainerSecurity: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/**
 * Where a worker container's termination message goes (the kubelet's default path, set explicitly): the
 * evaluate stage's rank 0 writes its metrics there, the operator reads them from the pod's status. The
 * worker learns the path from BACL_TERMINATION_LOG.
 */
export const terminationMessagePath = '/dev/termination-log';
