// Identity of the BaclJob resource and the naming rules the operator relies on. Kept in one place because
// the CRD, the operator and the CLI must agree on every one of them.

export const baclJobResource = {
  group: 'bacl.dev',
  version: 'v1alpha1',
  apiVersion: 'bacl.dev/v1alpha1',
  kind: 'BaclJob',
  plural: 'bacljobs',
  singular: 'bacljob',
  shortNames: ['bj'],
  categories: ['all'],
} as const;

/**
 * The labels the operator puts on every worker pod (objects.ts): which job, stage, attempt and node rank it
 * belongs to. The operator's informers group pods by them; the CLI (`baclctl logs`, `describe`) and users
 * (`kubectl logs -l bacl.dev/job=<job>`) find a job's pods by them.
 */
export const podLabels = {
  job: 'bacl.dev/job',
  stage: 'bacl.dev/stage',
  attempt: 'bacl.dev/attempt',
  nodeRank: 'bacl.dev/node-rank',
} as const;

/** The container the operator runs in every worker pod; the one `baclctl logs` reads. */
export const workerContainer = 'worker';

/**
 * A job name must be an RFC 1035 label, because it is also the name of the job's headless Service, and short
 * enough that every derived name (`<job>-config`, `<job>-<rep|cls|base|eval>-<attempt>-<nodeRank>`) still fits a 63-character
 * label value.
 */
export const jobNamePattern = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
export const jobNameMaxLength = 40;

/** RFC 1123 label: what dataset names (an S3 path segment) and Secret names must be. */
export const dnsLabelPattern = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
