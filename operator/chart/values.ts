import { z } from 'zod';

// The Helm chart's values, as a zod schema: `npm run generate` writes charts/bacl-operator/values.schema.json
// from it (Helm validates every install and upgrade against that file), and a test checks that values.yaml
// states exactly these defaults. Helm templates read these keys; test/operator/chart checks they exist.
// docs/adr/0017-helm-chart.md and docs/adr/0033-chart-images-and-kind-ci.md.

const port = z.int().min(1).max(65535);
const quantities = z.record(z.string(), z.union([z.string(), z.number()]));
const labels = z.record(z.string(), z.string());
/** A NetworkPolicy port: a number or a named port, and its protocol. */
const policyPort = z
  .object({
    port: z.union([port, z.string().min(1)]),
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
  })
  .strict();
/** A NetworkPolicy peer's selectors; an empty selector matches everything, so a rule needs at least one. */
const selector = z
  .object({ matchLabels: labels.optional(), matchExpressions: z.array(z.looseObject({})).optional() })
  .strict();
const cidr = z
  .string()
  .regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32');

export const chartValuesSchema = z
  .object({
    image: z
      .object({
        repository: z
          .string()
          .min(1)
          .default('ghcr.io/bacl/operator')
          .describe('Image with bin/bacl-operator.'),
        tag: z.string().default('').describe('Image tag; empty: the chart appVersion.'),
        pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
      })
      .strict()
      .prefault({}),
    imagePullSecrets: z.array(z.object({ name: z.string() }).strict()).default([]),
    replicaCount: z.int().min(1).default(1).describe('More than one needs leaderElection.enabled.'),
    watchNamespace: z
      .string()
      .default('')
      .describe('Reconcile BaclJobs in this namespace only (a Role); empty: all namespaces (a ClusterRole).'),
    leaderElection: z
      .object({ enabled: z.boolean().default(true).describe('Act only while holding the Lease.') })
      .strict()
      .prefault({}),
    concurrency: z.int().min(1).default(4).describe('Jobs reconciled in parallel.'),
    logLevel: z.enum(['debug', 'info', 'error']).default('info'),
    metrics: z
      .object({
        port: port.default(8080),
        serviceMonitor: z
          .object({
            enabled: z
              .boolean()
              .default(false)
              .describe('A prometheus-operator ServiceMonitor for the metrics Service (needs its CRD).'),
            interval: z
              .string()
              .regex(/^\d+(ms|s|m|h)$/, 'must be a Prometheus duration such as 30s')
              .default('30s'),
            labels: labels.default({}).describe('Labels your Prometheus selects ServiceMonitors by.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    health: z
      .object({ port: port.default(8081) })
      .strict()
      .prefault({}),
    serviceAccount: z
      .object({
        create: z.boolean().default(true),
        name: z.string().default('').describe('Empty: the release name.'),
      })
      .strict()
      .prefault({}),
    rbac: z
      .object({
        create: z.boolean().default(true),
        aggregate: z
          .boolean()
          .default(true)
          .describe('ClusterRoles that add BaclJobs to the built-in view, edit and admin roles.'),
      })
      .strict()
      .prefault({}),
    resources: z
      .object({ requests: quantities.optional(), limits: quantities.optional() })
      .strict()
      .default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } }),
    nodeSelector: labels.default({}),
    tolerations: z.array(z.looseObject({})).default([]),
    podAnnotations: labels.default({}),
    workerDefaults: z
      .object({
        image: z
          .object({
            repository: z.string().min(1).default('ghcr.io/bacl/worker').describe('Dockerfile.worker'),
            tag: z.string().default('').describe('Empty: the chart appVersion.'),
          })
          .strict()
          .prefault({}),
        nats: z
          .object({
            url: z
              .string()
              .regex(/^((nats|tls):\/\/.+)?$/, 'must be a nats:// or tls:// URL')
              .default('')
              .describe("Empty: the chart's NATS when nats.enabled, else none (jobs must name one)."),
            credentialsSecret: z
              .string()
              .default('')
              .describe('Secret with a key nats.creds, for jobs that use the default url.'),
            jwt: z
              .object({
                signingKeySecret: z
                  .string()
                  .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/, 'must name a Secret (a DNS label)')
                  .default('')
                  .describe(
                    "Secret (release namespace) with a key seed: the NATS account signing key's seed (SA...). " +
                      'Set: each job on the default url gets its own NATS user (docs/adr/0038); leave credentialsSecret empty.',
                  ),
                account: z
                  .string()
                  .regex(/^(A[A-Z2-7]{55})?$/, 'must be an account public key (A...)')
                  .default('')
                  .describe('The public key (A...) of the account the signing key belongs to.'),
                operatorCredentialsSecret: z
                  .string()
                  .regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/, 'must name a Secret (a DNS label)')
                  .default('')
                  .describe(
                    "Secret (release namespace) with a key nats.creds: the operator's own user; empty: it mints one.",
                  ),
                rotationDays: z
                  .number()
                  .positive()
                  .default(30)
                  .describe(
                    'A job user is minted per period of this many days and expires two periods later.',
                  ),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        s3: z
          .object({
            endpoint: z
              .string()
              .regex(/^(https?:\/\/.+)?$/, 'must be an http:// or https:// URL')
              .default('')
              .describe('Empty: none (AWS); a URL: a non-AWS store, addressed path-style.'),
            credentialsSecret: z
              .string()
              .default('bacl-s3')
              .describe('Secret (in the job namespace) with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({})
      .describe('What the operator writes into a BaclJob that leaves these out (bacl-operator flags).'),
    networkPolicy: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Worker pods may reach only NATS, S3 and DNS (egress; ingress is left alone).'),
        namespaces: z
          .array(z.string().min(1))
          .default([])
          .describe('Where worker pods run; empty: watchNamespace, else the release namespace.'),
        nats: z
          .object({
            podSelector: selector
              .default({ matchLabels: { 'app.kubernetes.io/name': 'nats' } })
              .describe('The NATS server pods (labelled so by the nats chart).'),
            namespaceSelector: selector
              .optional()
              .describe('Their namespace; default: the release namespace.'),
            ports: z.array(policyPort).default([{ port: 4222, protocol: 'TCP' }]),
          })
          .strict()
          .prefault({}),
        s3: z
          .object({
            cidrs: z
              .array(cidr)
              .default(['0.0.0.0/0'])
              .describe('Where the S3 endpoint lives; narrow it to your store (AWS: the S3 prefix list).'),
            podSelector: selector
              .optional()
              .describe('An S3 server in the cluster (with namespaceSelector).'),
            namespaceSelector: selector.optional(),
            ports: z.array(policyPort).default([{ port: 443, protocol: 'TCP' }]),
          })
          .strict()
          .prefault({}),
        dns: z
          .object({
            podSelector: selector.default({ matchLabels: { 'k8s-app': 'kube-dns' } }),
            namespaceSelector: selector.default({
              matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
            }),
            ports: z.array(policyPort).default([
              { port: 53, protocol: 'UDP' },
              { port: 53, protocol: 'TCP' },
            ]),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    nats: z
      .looseObject({
        enabled: z
          .boolean()
          .default(false)
          .describe('Install NATS with the official nats chart (a dependency; any other key goes to it).'),
        config: z
          .looseObject({
            merge: z
              .looseObject({
                max_payload: z
                  .string()
                  .default('<< 8MB >>')
                  .describe('All-reduce chunks fill the payload: 8 MB instead of the 1 MB default.'),
              })
              .prefault({}),
            jetstream: z
              .looseObject({ enabled: z.boolean().default(false).describe('bacl needs only core NATS.') })
              .prefault({}),
          })
          .prefault({}),
        natsBox: z
          .looseObject({ enabled: z.boolean().default(false).describe('The nats-box debugging pod.') })
          .prefault({}),
      })
      .prefault({}),
    global: z.looseObject({}).optional().describe('Helm passes globals to the nats dependency here.'),
  })
  .strict();

export type ChartValues = z.infer<typeof chartValuesSchema>;

export const valuesSchemaPath = 'charts/bacl-operator/values.schema.json';
export const valuesPath = 'charts/bacl-operator/values.yaml';

/** values.schema.json (JSON Schema draft-07, which every Helm 3 validates), before formatting. */
export function valuesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(chartValuesSchema, { target: 'draft-7', io: 'input' });
}
