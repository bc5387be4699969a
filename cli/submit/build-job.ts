import {
  baclJobResource,
  parseBaclJob,
  validateConfig,
  type BaclJobSpecInput,
  type ObjectMeta,
  type ResolvedConfig,
} from '../../common/index.js';
import { datasetNameFor, type TrainingConfigSchema } from './config-schema.js';

/** A BaclJob as a user writes it: defaults left to the server (and to parseBaclJob). */
export interface BaclJobManifest {
  apiVersion: typeof baclJobResource.apiVersion;
  kind: typeof baclJobResource.kind;
  metadata: ObjectMeta;
  spec: BaclJobSpecInput;
}

/** What `submit` knows besides the config: its flags, defaults already applied. */
export interface JobOptions {
  name: string;
  namespace: string;
  nodes: number;
  gpusPerNode: number;
  image: string;
  /** Overrides the config's `dataset`. */
  dataset?: string;
  s3Uri: string;
  /** A non-AWS store's endpoint URL; such stores are addressed path-style. */
  s3Endpoint?: string;
  /** spec.s3.requestTimeoutSeconds: one S3 attempt's deadline; absent: the worker's default. */
  s3RequestTimeoutSeconds?: number;
  s3Secret: string;
  /** spec.terminationGracePeriodSeconds; absent: the API's default. */
  terminationGracePeriodSeconds?: number;
  natsUrl: string;
  /** Recorded in annotations, so `describe` can say how the job was made. */
  source: { config: string; sets: readonly string[] };
}

/** Annotations `submit` leaves on a job: the config it was resolved from and the overrides applied. */
export const submitAnnotations = { config: 'bacl.dev/config', sets: 'bacl.dev/set' } as const;

/**
 * Builds the BaclJob `submit` creates: the effective config validated with `schema` (errors name file:line:col
 * and the field) and embedded whole, so the job is reproducible from its object alone; then the object is
 * checked with the API's own schema (the same rules the server applies) before anything is sent.
 */
export function buildJob(
  resolved: ResolvedConfig,
  schema: TrainingConfigSchema,
  options: JobOptions,
): BaclJobManifest {
  const config = validateConfig(resolved, schema);
  const dataset = options.dataset ?? datasetNameFor(config);
  const root = options.s3Uri.replace(/\/+$/, '');
  const job: BaclJobManifest = {
    apiVersion: baclJobResource.apiVersion,
    kind: baclJobResource.kind,
    metadata: {
      name: options.name,
      namespace: options.namespace,
      annotations: {
        [submitAnnotations.config]: options.source.config,
        ...(options.source.sets.length > 0
          ? { [submitAnnotations.sets]: JSON.stringify(options.source.sets) }
          : {}),
      },
    },
    spec: {
      config,
      // The S3 layout of shared/design.md: <s3>/datasets/<name>/<split>/manifest.json, written by `baclctl data`.
      dataset: {
        name: dataset,
        train: `${root}/datasets/${dataset}/train/manifest.json`,
        val: `${root}/datasets/${dataset}/val/manifest.json`,
      },
      nodes: options.nodes,
      gpusPerNode: options.gpusPerNode,
      image: options.image,
      // The config's interval and retention, which the job's own defaults (1000 steps) would otherwise replace.
      checkpoint: { everySteps: config.checkpoint.every_steps, keepLast: config.checkpoint.keep_last },
      nats: { url: options.natsUrl },
      s3: {
        uri: options.s3Uri,
        ...(options.s3Endpoint === undefined ? {} : { endpoint: options.s3Endpoint, forcePathStyle: true }),
        credentialsSecret: options.s3Secret,
        ...(options.s3RequestTimeoutSeconds === undefined
          ? {}
          : { requestTimeoutSeconds: options.s3RequestTimeoutSeconds }),
      },
      ...(options.terminationGracePeriodSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: options.terminationGracePeriodSeconds }),
    },
  };
  parseBaclJob(job); // throws InvalidBaclJobError naming each field (exit 4)
  return job;
}
