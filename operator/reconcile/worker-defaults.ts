// The operator's defaults for what a BaclJob says about its worker pods' surroundings: the worker image, the
// NATS server (and its credentials Secret) and the S3 endpoint and credentials Secret. A cluster admin sets
// them once (the chart's workerDefaults, as bacl-operator flags); a job that leaves a field out gets the
// default written into its spec on first sight, so the stored job stays a complete record of what ran and a
// later change of the defaults never reaches a running job. docs/adr/0033-chart-images-and-kind-ci.md.

export interface WorkerDefaults {
  /** spec.image when the job has none (--worker-image). */
  image?: string;
  /** spec.nats.url when the job has none (--nats-url). */
  natsUrl?: string;
  /**
   * spec.nats.credentialsSecret, only together with a defaulted url: credentials of the default server mean
   * nothing to a NATS the job names itself (--nats-credentials-secret).
   */
  natsCredentialsSecret?: string;
  /**
   * spec.s3.endpoint when the job has none (--s3-endpoint); forcePathStyle is then set too, which stores
   * other than AWS need (as `baclctl submit --s3-endpoint` does).
   */
  s3Endpoint?: string;
  /** spec.s3.credentialsSecret when the job has none (--s3-credentials-secret). */
  s3CredentialsSecret?: string;
}

/** The spec fields the CRD lets a job leave out because the operator may default them. */
export const defaultedFields = ['spec.image', 'spec.nats', 'spec.s3.credentialsSecret'] as const;

export interface DefaultsOutcome {
  /** A JSON merge patch of the job that writes the defaults into its spec; undefined: nothing to write. */
  patch?: { spec: Record<string, unknown> };
  /** Fields the job needs, leaves out, and have no default here: what to set, and where. */
  missing: string[];
}

type Loose = Record<string, unknown> | undefined;
const has = (value: unknown) => typeof value === 'string' && value.length > 0;

/** What to fill into `spec` (a job's raw spec, as stored) from `defaults`. Pure. */
export function applyWorkerDefaults(spec: unknown, defaults: WorkerDefaults): DefaultsOutcome {
  const job = (typeof spec === 'object' && spec !== null ? spec : {}) as Record<string, unknown>;
  const nats = job.nats as Loose;
  const s3 = job.s3 as Loose;
  const patch: Record<string, unknown> = {};
  const missing: string[] = [];

  if (!has(job.image)) {
    if (defaults.image) patch.image = defaults.image;
    else
      missing.push(
        'spec.image (or start the operator with --worker-image: the chart value workerDefaults.image)',
      );
  }
  if (!has(nats?.url)) {
    if (defaults.natsUrl)
      patch.nats = {
        url: defaults.natsUrl,
        ...(defaults.natsCredentialsSecret && !has(nats?.credentialsSecret)
          ? { credentialsSecret: defaults.natsCredentialsSecret }
          : {}),
      };
    else
      missing.push(
        'spec.nats.url (or start the operator with --nats-url: the chart value workerDefaults.nats.url)',
      );
  }
  const s3Patch: Record<string, unknown> = {};
  if (defaults.s3Endpoint && !has(s3?.endpoint)) {
    s3Patch.endpoint = defaults.s3Endpoint;
    s3Patch.forcePathStyle = true;
  }
  if (!has(s3?.credentialsSecret)) {
    if (defaults.s3CredentialsSecret) s3Patch.credentialsSecret = defaults.s3CredentialsSecret;
    else
      missing.push(
        'spec.s3.credentialsSecret (or start the operator with --s3-credentials-secret: the chart value ' +
          'workerDefaults.s3.credentialsSecret)',
      );
  }
  if (Object.keys(s3Patch).length > 0) patch.s3 = s3Patch;
  return { ...(Object.keys(patch).length > 0 && { patch: { spec: patch } }), missing };
}
