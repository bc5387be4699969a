import { parseArgs } from 'node:util';
import type { WorkerDefaults } from '../reconcile/worker-defaults.js';

// bacl-operator's flags, parsed once at start-up into a typed object (nothing reads argv or the environment
// later). Names follow controller-runtime's manager flags so the chart reads like any operator's.

export interface OperatorFlags {
  help: boolean;
  version: boolean;
  /** Reconcile BaclJobs of this namespace only; undefined: all namespaces (needs a ClusterRole). */
  namespace?: string;
  /** host:port of /metrics; '0' turns it off. */
  metricsAddr: string;
  /** host:port of /healthz and /readyz; '0' turns it off. */
  healthAddr: string;
  leaderElect: boolean;
  /** Where the Lease lives. Default: --namespace, else the pod's own namespace, else 'default'. */
  leaderElectionNamespace?: string;
  leaseName: string;
  kubeconfig?: string;
  concurrency: number;
  logLevel: 'debug' | 'info' | 'error';
  /** Filled into jobs that leave these out (operator/reconcile/worker-defaults.ts); empty flags: no default. */
  workerDefaults: WorkerDefaults;
  /** Per-job NATS users for jobs on --nats-url (ADR 0038); undefined: no --nats-signing-key-file. */
  natsMinting?: NatsMintingFlags;
}

export interface NatsMintingFlags {
  /** The file (mounted from a Secret) holding the account signing key's seed, SA... */
  signingKeyFile: string;
  /** The account's public key, A... */
  account: string;
  /** The operator's own credentials file; undefined: it mints its own user with the signing key. */
  credentialsFile?: string;
  /** Rotation period of the job users (operator/reconcile/nats-credentials.ts). */
  periodSeconds: number;
}

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export const operatorFlagHelp = [
  '  -n, --namespace NAME            Reconcile BaclJobs in NAME only (default or empty: all namespaces).',
  '      --metrics-addr ADDR         Serve Prometheus /metrics on ADDR; 0 turns it off (default :8080).',
  '      --health-addr ADDR          Serve /healthz and /readyz on ADDR; 0 turns it off (default :8081).',
  '      --[no-]leader-elect         Act only while holding a coordination.k8s.io Lease (run several replicas).',
  '      --leader-election-namespace NAME',
  '                                  Namespace of the Lease (default: --namespace, else the pod namespace).',
  '      --lease-name NAME           Name of the Lease (default bacl-operator).',
  '      --kubeconfig PATH           Kubeconfig to use (default: in-cluster, then KUBECONFIG, then ~/.kube/config).',
  '      --concurrency N             Jobs reconciled in parallel (default 4).',
  '      --log-level LEVEL           debug, info or error (default info).',
  'Defaults for jobs that leave these out (written into the job on first sight; empty or unset: none):',
  '      --worker-image IMAGE        spec.image, the worker image.',
  '      --nats-url URL              spec.nats.url (nats:// or tls://).',
  '      --nats-credentials-secret NAME',
  '                                  spec.nats.credentialsSecret, with a defaulted --nats-url only.',
  '      --s3-endpoint URL           spec.s3.endpoint (http:// or https://; path-style addressing).',
  '      --s3-credentials-secret NAME',
  '                                  spec.s3.credentialsSecret.',
  'Per-job NATS users for jobs on --nats-url without credentials of their own (decentralised JWT auth):',
  '      --nats-signing-key-file PATH',
  "                                  The account signing key's seed (SA...), a file mounted from a Secret.",
  "      --nats-account KEY          The account's public key (A...) the signing key belongs to.",
  '      --nats-operator-credentials-file PATH',
  "                                  The operator's own .creds (default: a user it mints itself).",
  '      --nats-credentials-days N   Rotation period of job users; one expires 2 periods after minting (30).',
];

export function parseOperatorFlags(argv: string[]): OperatorFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      // --no-leader-elect, so a chart can pass the flag either way.
      allowNegative: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        namespace: { type: 'string', short: 'n' },
        'metrics-addr': { type: 'string', default: ':8080' },
        'health-addr': { type: 'string', default: ':8081' },
        'leader-elect': { type: 'boolean', default: false },
        'leader-election-namespace': { type: 'string' },
        'lease-name': { type: 'string', default: 'bacl-operator' },
        kubeconfig: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        'log-level': { type: 'string', default: 'info' },
        'worker-image': { type: 'string', default: '' },
        'nats-url': { type: 'string', default: '' },
        'nats-credentials-secret': { type: 'string', default: '' },
        's3-endpoint': { type: 'string', default: '' },
        's3-credentials-secret': { type: 'string', default: '' },
        'nats-signing-key-file': { type: 'string', default: '' },
        'nats-account': { type: 'string', default: '' },
        'nats-operator-credentials-file': { type: 'string', default: '' },
        'nats-credentials-days': { type: 'string', default: '30' },
      },
    }));
  } catch (error) {
    throw new FlagError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new FlagError(`--concurrency must be a whole number of at least 1, not '${values.concurrency}'`);
  const logLevel = values['log-level'];
  if (logLevel !== 'debug' && logLevel !== 'info' && logLevel !== 'error')
    throw new FlagError(`--log-level must be debug, info or error, not '${logLevel}'`);
  for (const flag of ['metrics-addr', 'health-addr'] as const) parseAddress(values[flag], `--${flag}`);
  const natsUrl = values['nats-url'];
  if (natsUrl && !/^(nats|tls):\/\/./.test(natsUrl))
    throw new FlagError(`--nats-url must be a nats:// or tls:// URL, not '${natsUrl}'`);
  const s3Endpoint = values['s3-endpoint'];
  if (s3Endpoint && !/^https?:\/\/./.test(s3Endpoint))
    throw new FlagError(`--s3-endpoint must be an http:// or https:// URL, not '${s3Endpoint}'`);
  for (const flag of ['nats-credentials-secret', 's3-credentials-secret'] as const) {
    const name = values[flag];
    if (name && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
      throw new FlagError(`--${flag} must name a Secret (a DNS label such as bacl-s3), not '${name}'`);
  }
  const natsMinting = parseNatsMinting(values);
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    // An empty --namespace (as a chart renders an unset value) means all namespaces.
    namespace: values.namespace || undefined,
    metricsAddr: values['metrics-addr'],
    healthAddr: values['health-addr'],
    leaderElect: values['leader-elect'],
    leaderElectionNamespace: values['leader-election-namespace'],
    leaseName: values['lease-name'],
    kubeconfig: values.kubeconfig,
    concurrency,
    logLevel,
    workerDefaults: {
      ...(values['worker-image'] && { image: values['worker-image'] }),
      ...(natsUrl && { natsUrl }),
      ...(values['nats-credentials-secret'] && { natsCredentialsSecret: values['nats-credentials-secret'] }),
      ...(s3Endpoint && { s3Endpoint }),
      ...(values['s3-credentials-secret'] && { s3CredentialsSecret: values['s3-credentials-secret'] }),
    },
    ...(natsMinting && { natsMinting }),
  };
}

function parseNatsMinting(
  values: Record<string, string | boolean | undefined>,
): NatsMintingFlags | undefined {
  const text = (flag: string) => (typeof values[flag] === 'string' ? values[flag] : '');
  const signingKeyFile = text('nats-signing-key-file');
  const account = text('nats-account');
  const credentialsFile = text('nats-operator-credentials-file');
  if (!signingKeyFile) {
    if (account || credentialsFile)
      throw new FlagError('--nats-account and --nats-operator-credentials-file need --nats-signing-key-file');
    return undefined;
  }
  if (!text('nats-url'))
    throw new FlagError(
      '--nats-signing-key-file needs --nats-url: the server whose account the key signs for',
    );
  if (text('nats-credentials-secret'))
    throw new FlagError(
      '--nats-signing-key-file and --nats-credentials-secret exclude each other: jobs get minted users instead',
    );
  if (!/^A[A-Z2-7]{55}$/.test(account))
    throw new FlagError(
      `--nats-account must be an account public key (56 characters, A...), not '${account}'`,
    );
  const days = Number(text('nats-credentials-days'));
  if (!Number.isFinite(days) || days <= 0)
    throw new FlagError(
      `--nats-credentials-days must be a positive number, not '${text('nats-credentials-days')}'`,
    );
  return {
    signingKeyFile,
    account,
    ...(credentialsFile && { credentialsFile }),
    periodSeconds: Math.round(days * 24 * 3600),
  };
}

/** `:8080`, `127.0.0.1:8080` or `0` (off); port 0 in `host:0` picks a free port (tests). */
export function parseAddress(address: string, flag: string): { host?: string; port: number } | undefined {
  if (address === '0') return undefined;
  const match = /^(.*):(\d+)$/.exec(address);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new FlagError(`${flag} must be [host]:port or 0, not '${address}'`);
  return { ...(match[1] ? { host: match[1] } : {}), port };
}
