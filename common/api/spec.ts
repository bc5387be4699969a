import { z } from 'zod';
import { immutable, withCel } from './cel.js';
import { dnsLabelPattern } from './names.js';
import { trainingStagesSchema } from './stages.js';

// The BaclJob spec. Every field carries its documentation (`.describe`) and its default, because this schema
// is the single source of the CRD's OpenAPI schema (what `kubectl explain bacljob.spec` prints), of the types
// the operator and the CLI use, and of the validation both apply.

const dnsLabel = (field: string) =>
  withCel(
    z.string().max(63),
    {
      rule: `self.matches('${dnsLabelPattern}')`,
      message: `${field} must be a DNS label (RFC 1123: lower-case letters, digits and '-')`,
    },
    (value) => new RegExp(dnsLabelPattern).test(value),
  );

const s3Uri = (what: string) =>
  withCel(
    z.string().min(1),
    { rule: "self.startsWith('s3://')", message: `${what} must be an s3:// URI` },
    (value) => value.startsWith('s3://'),
  );

const atLeast = <T extends z.ZodType<number>>(schema: T, minimum: number, field: string) =>
  withCel(
    schema,
    { rule: `self >= ${minimum}`, message: `${field} must be at least ${minimum}` },
    (n) => n >= minimum,
  );

const atMost = <T extends z.ZodType<number>>(schema: T, maximum: number, field: string, why: string) =>
  withCel(
    schema,
    { rule: `self <= ${maximum}`, message: `${field} must be at most ${maximum} (${why})` },
    (n) => n <= maximum,
  );

/**
 * Bounds of a job's size. nodes: one pod per node, named `<job>-<stage>-<attempt>-<nodeRank>` (a hostname, at
 * most 63 characters): 4 digits of node rank leave a 40-character job name 12 digits of attempt. gpusPerNode:
 * the most GPUs one machine carries (16 on the largest boxes); more ranks come from more nodes.
 */
export const maxNodes = 1024;
export const maxGpusPerNode = 16;
/**
 * The largest per-attempt S3 deadline (spec.s3.requestTimeoutSeconds): an hour. One attempt that may hang
 * longer than that hides a dead store from the retries behind it (docs/adr/0040-s3-request-deadline.md).
 */
export const maxS3RequestTimeoutSeconds = 3600;

/**
 * A container image reference as the container runtime parses it (distribution/reference, simplified):
 * `[registry[:port]/]path[:tag][@algorithm:digest]`, the path lower-case. Checked here so a typo fails at
 * `kubectl apply` and not as an ImagePullBackOff minutes later.
 */
export const imageReferencePattern =
  '^([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?([.][a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*(:[0-9]+)?/)?' +
  '[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*' +
  '(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?(@[a-z0-9]+([+._-][a-z0-9]+)*:[a-fA-F0-9]{32,})?$';

/** A resource quantity as Kubernetes accepts it: `8`, `"500m"`, `"16Gi"`. */
const quantity = z.union([z.int(), z.string()]).describe('A resource quantity, e.g. 8, "500m" or "16Gi".');

export const datasetSchema = z
  .object({
    name: dnsLabel('spec.dataset.name').describe(
      'Dataset name, e.g. lvis-v1; an S3 path segment under datasets/.',
    ),
    train: s3Uri('spec.dataset.train').describe("S3 URI of the training split's shard manifest.json."),
    val: s3Uri('spec.dataset.val').describe("S3 URI of the validation split's shard manifest.json."),
  })
  .describe('The LVIS shards the job reads (written by `baclctl data`).');

export const resourcesSchema = z
  .object({
    requests: z
      .record(z.string(), quantity)
      .optional()
      .describe('Requests per worker pod (cpu, memory, ...).'),
    limits: z.record(z.string(), quantity).optional().describe('Limits per worker pod.'),
  })
  .describe(
    'CPU and memory per worker pod. The GPU request comes from gpusPerNode: nvidia.com/gpu here is overridden.',
  );

export const tolerationSchema = z.object({
  key: z.string().optional().describe('Taint key; empty with operator Exists matches every taint.'),
  operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (the Kubernetes default).'),
  value: z.string().optional().describe('Taint value for operator Equal.'),
  effect: z
    .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
    .optional()
    .describe('Taint effect; empty matches all.'),
  tolerationSeconds: z
    .int()
    .optional()
    .describe('For NoExecute: how long the pod stays bound after the taint.'),
});

export const checkpointSchema = z
  .object({
    uri: s3Uri('spec.checkpoint.uri')
      .optional()
      .describe(
        "Where checkpoints go. Default: <s3.uri>/runs/<namespace>/<job>/<uid>, the job's run prefix.",
      ),
    everySteps: atLeast(z.int32(), 1, 'spec.checkpoint.everySteps')
      .default(1000)
      .describe('Rank 0 writes a checkpoint every this many optimizer steps (and at the end of a stage).'),
    keepLast: atLeast(z.int32(), 1, 'spec.checkpoint.keepLast')
      .default(3)
      .describe(
        'How many checkpoints per stage are kept; older ones are deleted after a newer one is complete.',
      ),
  })
  .describe('Checkpointing: a failed group restarts from the latest complete checkpoint.');

export const natsSchema = z
  .object({
    url: withCel(
      z.string().min(1),
      {
        rule: "self.startsWith('nats://') || self.startsWith('tls://')",
        message: 'spec.nats.url must be a nats:// or tls:// URL',
      },
      (value) => value.startsWith('nats://') || value.startsWith('tls://'),
    ).describe('NATS server the ranks rendezvous and all-reduce over, e.g. nats://nats.bacl:4222.'),
    credentialsSecret: dnsLabel('spec.nats.credentialsSecret')
      .optional()
      .describe('Secret with a key `nats.creds` (a NATS credentials file), mounted into every worker.'),
  })
  .describe('The NATS connection of the ranks.');

export const s3Schema = z
  .object({
    uri: s3Uri('spec.s3.uri').describe("Root of bacl's data: s3://<bucket>[/<prefix>]; runs go under runs/."),
    endpoint: z
      .string()
      .optional()
      .describe('S3 endpoint URL for non-AWS stores; default: AWS for the region.'),
    region: z.string().min(1).default('us-east-1').describe('S3 region.'),
    forcePathStyle: z
      .boolean()
      .default(false)
      .describe('Path-style addressing (most non-AWS stores need it).'),
    credentialsSecret: dnsLabel('spec.s3.credentialsSecret').describe(
      'Secret with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, passed to every worker as environment.',
    ),
    requestTimeoutSeconds: atMost(
      atLeast(z.int32(), 1, 'spec.s3.requestTimeoutSeconds'),
      maxS3RequestTimeoutSeconds,
      'spec.s3.requestTimeoutSeconds',
      'an hour per attempt; the retries ride out a longer outage',
    )
      .optional()
      .describe(
        "One S3 request attempt's deadline, from sending it to the answer's last byte: a request that stalls " +
          'longer is cut and retried with backoff. Default: 120 (a 100 MiB checkpoint blob at 1 MiB/s). ' +
          'Lower it for a store that can stall; raise it for a slow link and large checkpoints.',
      ),
  })
  .describe('The S3 store holding shards, checkpoints and results.');

/**
 * Bounds and default of spec.terminationGracePeriodSeconds (ADR 0041). The default is sized for the final
 * checkpoint a worker writes on SIGTERM at LVIS scale: an R50-FPN's weights and momentum (about 0.35 GB in rank
 * 0's part) at a pessimistic 10 MB/s to S3 take some 35 s, plus the step in flight and one retried upload
 * attempt; 120 s is also AWS's spot interruption notice, past which the node is gone anyway. The maximum bounds
 * how long a lost node can hold a restarting group: the operator takes a pod for lost only this long (plus its
 * --terminating-grace) after deleting it.
 */
export const defaultTerminationGracePeriodSeconds = 120;
export const maxTerminationGracePeriodSeconds = 600;

export const cleanPodPolicies = ['None', 'Running', 'All'] as const;

export const runPolicySchema = z
  .object({
    backoffLimit: atLeast(z.int32(), 0, 'spec.runPolicy.backoffLimit')
      .default(3)
      .describe('How many times a failed stage group is restarted from its checkpoint before the job fails.'),
    activeDeadlineSeconds: atLeast(z.int(), 1, 'spec.runPolicy.activeDeadlineSeconds')
      .optional()
      .describe('The job fails (DeadlineExceeded) this long after it started; suspension stops the clock.'),
    ttlSecondsAfterFinished: atLeast(z.int32(), 0, 'spec.runPolicy.ttlSecondsAfterFinished')
      .optional()
      .describe(
        'Delete the finished job (and, through owner references, its pods) this long after it ended.',
      ),
    cleanPodPolicy: z
      .enum(cleanPodPolicies)
      .default('Running')
      .describe(
        'Pods deleted when the job finishes: Running (still running ones; finished pods stay for their logs), ' +
          'All, or None (keeps even running pods, for debugging).',
      ),
    suspend: z
      .boolean()
      .default(false)
      .describe('true deletes the worker pods; false again resumes the stage from its last checkpoint.'),
    deleteRunDataOnDelete: z
      .boolean()
      .default(false)
      .describe('Deleting the job also deletes its S3 run prefix (checkpoints, detections, metrics).'),
  })
  .describe('Restarts, deadlines, clean-up and suspension.');

export const resumeSchema = withCel(
  z.string(),
  {
    rule: "self == 'auto' || self.startsWith('s3://')",
    message: "spec.resume must be 'auto' or an s3:// checkpoint URI",
  },
  (value) => value === 'auto' || value.startsWith('s3://'),
);

export const baclJobSpecSchema = z
  .object({
    config: immutable(
      z.looseObject({
        stages: trainingStagesSchema
          .optional()
          .describe(
            'The training stages, in order; the job runs them, then evaluate. Default: [representation, classifier].',
          ),
      }),
      'spec.config',
    )
      .meta({ 'x-kubernetes-preserve-unknown-fields': true })
      .describe(
        'The effective training config (model, data, schedule per stage, evaluation), as resolved by baclctl.',
      ),
    dataset: immutable(datasetSchema, 'spec.dataset'),
    nodes: immutable(
      atMost(atLeast(z.int32(), 1, 'spec.nodes'), maxNodes, 'spec.nodes', 'pod names carry the node rank'),
      'spec.nodes',
    )
      .default(1)
      .describe('Worker pods per training stage (one per node); the evaluate stage runs one pod.'),
    gpusPerNode: immutable(
      atMost(
        atLeast(z.int32(), 0, 'spec.gpusPerNode'),
        maxGpusPerNode,
        'spec.gpusPerNode',
        'GPUs of one machine; add nodes for more ranks',
      ),
      'spec.gpusPerNode',
    )
      .default(1)
      .describe('GPUs per worker pod, one rank each; 0 runs one CPU rank per pod.'),
    image: immutable(
      withCel(
        z.string().min(1).max(512),
        {
          rule: `self.matches('${imageReferencePattern}')`,
          message:
            'spec.image must be an image reference: [registry[:port]/]name[:tag][@sha256:digest], ' +
            'the name lower-case, no spaces',
        },
        (value) => new RegExp(imageReferencePattern).test(value),
      ),
      'spec.image',
    ).describe('The worker image (bacl-worker).'),
    resources: resourcesSchema.optional(),
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe('Node labels the worker pods require.'),
    tolerations: z.array(tolerationSchema).optional().describe('Taints the worker pods tolerate.'),
    terminationGracePeriodSeconds: atMost(
      atLeast(z.int32(), 1, 'spec.terminationGracePeriodSeconds'),
      maxTerminationGracePeriodSeconds,
      'spec.terminationGracePeriodSeconds',
      'a lost node holds a restarting group this long',
    )
      .default(defaultTerminationGracePeriodSeconds)
      .describe(
        "The worker pods' terminationGracePeriodSeconds: how long a stopped worker has to finish its step and " +
          'write its final checkpoint after SIGTERM before it is killed; the operator also takes a pod still ' +
          'Terminating this long (plus its --terminating-grace) after its deletion for lost on a dead node. ' +
          'Default 120: a final LVIS R50-FPN checkpoint (about 0.35 GB) to S3 on a slow link, with one retry.',
      ),
    checkpoint: checkpointSchema.prefault({}),
    resume: resumeSchema
      .default('auto')
      .describe(
        "'auto' resumes from the stage's latest checkpoint if any; an s3:// URI starts from that checkpoint.",
      ),
    nats: natsSchema,
    s3: s3Schema,
    runPolicy: runPolicySchema.prefault({}),
  })
  .describe('What to train and how to run it.');

export type BaclJobSpec = z.infer<typeof baclJobSpecSchema>;
export type BaclJobSpecInput = z.input<typeof baclJobSpecSchema>;
export type CleanPodPolicy = (typeof cleanPodPolicies)[number];
export type Toleration = z.infer<typeof tolerationSchema>;
