import { z } from 'zod';

// The Helm chart's values, as a zod schema: `npm run generate` writes charts/bacl-operator/values.schema.json
// from it (Helm validates every install and upgrade against that file), and a test checks that values.yaml
// states exactly these defaults. Helm templates read these keys; test/operator/chart checks they exist.

const port = z.int().min(1).max(65535);
const quantities = z.record(z.string(), z.union([z.string(), z.number()]));

export const chartValuesSchema = z
  .object({
    image: z
      .object({
        repository: z.string().min(1).default('ghcr.io/bacl/bacl').describe('Image with bin/bacl-operator.'),
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
      .object({ port: port.default(8080) })
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
      .object({ create: z.boolean().default(true) })
      .strict()
      .prefault({}),
    resources: z
      .object({ requests: quantities.optional(), limits: quantities.optional() })
      .strict()
      .default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } }),
    nodeSelector: z.record(z.string(), z.string()).default({}),
    tolerations: z.array(z.looseObject({})).default([]),
    podAnnotations: z.record(z.string(), z.string()).default({}),
  })
  .strict();

export type ChartValues = z.infer<typeof chartValuesSchema>;

export const valuesSchemaPath = 'charts/bacl-operator/values.schema.json';
export const valuesPath = 'charts/bacl-operator/values.yaml';

/** values.schema.json (JSON Schema draft-07, which every Helm 3 validates), before formatting. */
export function valuesJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(chartValuesSchema, { target: 'draft-7', io: 'input' });
}
