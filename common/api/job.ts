import { z } from 'zod';
import { withCel } from './cel.js';
import { baclJobResource, jobNameMaxLength, jobNamePattern } from './names.js';
import { baclJobSpecSchema } from './spec.js';
import { baclJobStatusSchema } from './status.js';

// The whole BaclJob object. The metadata stanza is Kubernetes's own: only the fields the operator reads are
// typed, everything else passes through untouched.

export const objectMetaSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const nameRules = [
  {
    rule: `self.metadata.name.matches('${jobNamePattern}')`,
    message: "metadata.name must be a DNS label starting with a letter (lower-case letters, digits and '-')",
    check: (name: string) => new RegExp(jobNamePattern).test(name),
  },
  {
    rule: `size(self.metadata.name) <= ${jobNameMaxLength}`,
    message: `metadata.name must be at most ${jobNameMaxLength} characters (pod and label names are derived from it)`,
    check: (name: string) => name.length <= jobNameMaxLength,
  },
];

export const baclJobSchema = nameRules.reduce(
  (schema, { rule, message, check }) =>
    withCel(schema, { rule, message, fieldPath: '.metadata.name' }, (job: { metadata: { name: string } }) =>
      check(job.metadata.name),
    ),
  z.object({
    apiVersion: z.literal(baclJobResource.apiVersion),
    kind: z.literal(baclJobResource.kind),
    metadata: objectMetaSchema,
    spec: baclJobSpecSchema,
    status: baclJobStatusSchema.optional(),
  }),
);

export type BaclJob = z.infer<typeof baclJobSchema>;
export type ObjectMeta = z.infer<typeof objectMetaSchema>;

/** A BaclJob that does not match the schema; `issues` name each field, e.g. `spec.nodes: must be at least 1`. */
export class InvalidBaclJobError extends Error {
  override readonly name = 'InvalidBaclJobError';
  constructor(
    readonly job: string,
    readonly issues: string[],
    options?: { cause?: unknown },
  ) {
    super(`BaclJob ${job} is invalid: ${issues.join('; ')}`, options);
  }
}

/** Parses an object read from the API server (or written by a user), applying the documented defaults. */
export function parseBaclJob(object: unknown): BaclJob {
  const result = baclJobSchema.safeParse(object);
  if (result.success) return result.data;
  const meta = (object as { metadata?: { namespace?: string; name?: string } } | null)?.metadata;
  const job = `${meta?.namespace ?? '?'}/${meta?.name ?? '?'}`;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new InvalidBaclJobError(job, issues, { cause: result.error });
}
