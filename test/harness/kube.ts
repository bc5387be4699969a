import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { answers200, type TlsMaterial } from './http-probe.js';
import { infraManifest } from './infra.js';
import { makeTestPki, type TestPki } from './pki.js';
import { freePort } from './ports.js';
import { startProcess, type ManagedProcess } from './process.js';
import { makeWorkDir } from './workdir.js';

const execFileAsync = promisify(execFile);

/** A real etcd + kube-apiserver (RBAC on) with an admin kubeconfig; no scheduler, controller-manager or kubelet. */
export interface KubeCluster {
  server: string;
  kubeconfigPath: string;
  /** A client-node KubeConfig loaded from the admin kubeconfig. */
  kubeConfig(): KubeConfig;
  /** Runs the kubectl built with this apiserver against it; never throws on a non-zero exit. */
  kubectl(
    args: string[],
    options?: { input?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  pki: TestPki;
  versions: { kubeApiserver: string; etcd: string; kubectl: string };
  processes: { etcd: ManagedProcess; apiserver: ManagedProcess };
  stop(): Promise<void>;
}

export async function startKube(options: { signal?: AbortSignal } = {}): Promise<KubeCluster> {
  const infra = infraManifest();
  const dir = makeWorkDir('kube');
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  const [pki, etcdPort, peerPort, securePort] = await Promise.all([
    makeTestPki(infra.openssl.bin, pkiDir),
    freePort(),
    freePort(),
    freePort(),
  ]);

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = await startProcess({
    name: 'etcd',
    bin: infra.etcd.bin,
    // --unsafe-no-fsync: test data is thrown away, and fsync on a shared CI disk is the slowest thing here.
    args: [
      '--name=bacl-test',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=bacl-test=${peerUrl}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    dir,
    ready: answers200(`${etcdUrl}/health`),
    signal: options.signal,
  });

  const server = `https://127.0.0.1:${securePort}`;
  const adminTls: TlsMaterial = {
    ca: readFileSync(pki.caCert),
    cert: readFileSync(pki.adminCert),
    key: readFileSync(pki.adminKey),
  };
  let apiserver: ManagedProcess;
  try {
    apiserver = await startProcess({
      name: 'kube-apiserver',
      bin: infra.kubeApiserver.bin,
      // The flag set envtest uses: real authn (client certs) and RBAC, no ServiceAccount admission (no token
      // controller runs), a service CIDR for allocation only (nothing routes to it).
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        '--disable-admission-plugins=ServiceAccount',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--allow-privileged=true',
        '--v=1',
      ],
      dir,
      ready: answers200(`${server}/readyz`, adminTls),
      readyTimeoutMs: 180_000,
      pollMs: 250,
      signal: options.signal,
    });
  } catch (error) {
    await etcd.stop();
    throw error;
  }

  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(server, pki));
  const stop = async () => {
    await apiserver.stop();
    await etcd.stop();
  };
  return {
    server,
    kubeconfigPath,
    kubeConfig: () => {
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigPath);
      return config;
    },
    kubectl: async (args, opts = {}) => {
      const child = execFileAsync(infra.kubectl.bin, ['--kubeconfig', kubeconfigPath, ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfigPath },
      });
      if (opts.input !== undefined) child.child.stdin?.end(opts.input);
      else child.child.stdin?.end();
      try {
        const { stdout, stderr } = await child;
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
      }
    },
    pki,
    versions: {
      kubeApiserver: infra.kubeApiserver.version,
      etcd: infra.etcd.version,
      kubectl: infra.kubectl.version,
    },
    processes: { etcd, apiserver },
    stop,
  };
}

function kubeconfigYaml(server: string, pki: TestPki): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: bacl-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${pki.caCert}`,
    'users:',
    '- name: bacl-test-admin',
    '  user:',
    `    client-certificate: ${pki.adminCert}`,
    `    client-key: ${pki.adminKey}`,
    'contexts:',
    '- name: bacl-test',
    '  context:',
    '    cluster: bacl-test',
    '    user: bacl-test-admin',
    '    namespace: default',
    'current-context: bacl-test',
    '',
  ].join('\n');
}
