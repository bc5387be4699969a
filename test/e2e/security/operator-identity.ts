// The operator as the chart makes it: its ServiceAccount in a release namespace, the chart's RBAC rendered by
// helm (test/operator/chart/helm.ts) and applied to the real apiserver, and a kubeconfig holding that
// ServiceAccount's own token, so whatever runs with it has exactly the rights the chart grants (RBAC is on in
// the harness). Each call is a release of its own name: ClusterRoles of two tests never collide.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { makeWorkDir } from '../../harness/index.js';
import { helmTemplate, manifests } from '../../operator/chart/helm.js';
import { newNamespace, type TestWorld } from '../../operator/controller/env.js';

export interface OperatorIdentity {
  release: string;
  /** The release namespace: the ServiceAccount and the leader-election Lease live there. */
  system: string;
  serviceAccount: string;
  /** `system:serviceaccount:<system>:<serviceAccount>`. */
  user: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** The chart's RBAC documents as applied. */
  rbac: { kind: string; metadata: { name: string; namespace?: string }; rules?: unknown[] }[];
}

export interface OperatorIdentityOptions {
  /**
   * The NATS account (public key, A...) whose signing key the operator holds: renders the chart as with
   * `workerDefaults.nats.jwt.signingKeySecret` set (per-job NATS users, ADR 0038), whose rules add create (only)
   * on Secrets. @default undefined (per-job users off: no Secret rule at all)
   */
  natsAccount?: string;
}

/**
 * Installs the chart's RBAC for a fresh release: cluster-wide (a ClusterRole) or, with `watchNamespace`, a
 * Role there; returns the ServiceAccount's identity.
 */
export async function installOperatorIdentity(
  w: TestWorld,
  watchNamespace?: string,
  options: OperatorIdentityOptions = {},
): Promise<OperatorIdentity> {
  const release = `sec-${randomBytes(3).toString('hex')}`;
  const system = await newNamespace(w, 'bacl-system');
  await w.core.createNamespacedServiceAccount({ namespace: system, body: { metadata: { name: release } } });
  const rendered = await helmTemplate(release, system, [
    '--show-only',
    'templates/rbac.yaml',
    ...(watchNamespace ? ['--set', `watchNamespace=${watchNamespace}`] : []),
    ...(options.natsAccount
      ? [
          '--set',
          'workerDefaults.nats.jwt.signingKeySecret=bacl-nats-signing',
          '--set',
          `workerDefaults.nats.jwt.account=${options.natsAccount}`,
        ]
      : []),
  ]);
  const applied = await w.cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: rendered });
  if (applied.code !== 0) throw new Error(`applying the chart's RBAC failed: ${applied.stderr}`);
  const { kubeconfigPath, kubeConfig } = await serviceAccountConfig(w, system, release);
  return {
    release,
    system,
    serviceAccount: release,
    user: `system:serviceaccount:${system}:${release}`,
    kubeconfigPath,
    kubeConfig,
    rbac: manifests(rendered),
  };
}

/** A kubeconfig holding a token of ServiceAccount `namespace/name` (TokenRequest), and its KubeConfig. */
export async function serviceAccountConfig(
  w: TestWorld,
  namespace: string,
  name: string,
): Promise<{ kubeconfigPath: string; kubeConfig: KubeConfig }> {
  const token = await w.core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const kubeconfigPath = join(makeWorkDir('security'), 'kubeconfig');
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'c', cluster: { server: w.cluster.server, 'certificate-authority': w.cluster.pki.caCert } },
      ],
      users: [{ name: 'sa', user: { token: token.status?.token } }],
      contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa' } }],
      'current-context': 'sa',
    }),
  );
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return { kubeconfigPath, kubeConfig };
}
