import { z } from 'zod';
import { jobStages } from './stages.js';

// The BaclJob status, written only by the operator through the /status subresource. `state` is a one-word
// summary derived from `conditions` (see docs/adr/0004-bacljob-api.md); the conditions are the record.

const time = z.iso.datetime().describe('RFC 3339 time.');

export const jobConditionTypes = [
  'Created',
  'Running',
  'Restarting',
  'Suspended',
  'Succeeded',
  'Failed',
  // Only on a job being deleted with runPolicy.deleteRunDataOnDelete: False while its purge pod failed or
  // overran (reason PurgeFailed or PurgeTimedOut; the message says how to retry or give up). ADR 0037.
  'RunDataPurged',
  'ReconcileFailed',
] as const;
export const jobStates = ['Pending', 'Running', 'Restarting', 'Suspended', 'Succeeded', 'Failed'] as const;

/** The shape of a Kubernetes metav1.Condition. */
export const conditionSchema = z.object({
  type: z
    .enum(jobConditionTypes)
    .describe(
      "Created, Running, Restarting, Suspended, Succeeded, Failed, RunDataPurged (False while a deleted job's purge pod failed or overran), or ReconcileFailed (True while the operator cannot act on the job: its reason and message say why).",
    ),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: z.int().optional().describe('The .metadata.generation the condition was set for.'),
  lastTransitionTime: time.describe('When status last changed (not when the condition was last written).'),
  reason: z.string().min(1).describe('CamelCase reason, e.g. WorkerFailed, BackoffLimitExceeded.'),
  message: z.string().describe('What happened, for people.'),
});

export const workersSchema = z
  .object({
    desired: z.int32().default(0).describe('Pods the current stage needs.'),
    ready: z.int32().default(0).describe('Pods of the current group whose containers are ready.'),
    active: z.int32().default(0).describe('Pods of the current group that are pending or running.'),
    succeeded: z.int32().default(0).describe('Pods of the current group that succeeded.'),
    failed: z.int32().default(0).describe('Pods of the current group that failed.'),
    summary: z.string().default('').describe('ready/desired, for the WORKERS column.'),
  })
  .describe('Worker pods of the current stage and attempt.');

export const progressSchema = z
  .object({
    stage: z.enum(jobStages),
    epoch: z.int32().optional(),
    step: z
      .int()
      .describe(
        'Optimizer steps done in this stage; in the evaluate stage, val images the ranks have inferred.',
      ),
    totalSteps: z
      .int()
      .describe("Optimizer steps the stage runs; in the evaluate stage, the val split's images."),
    percent: z.number().describe('step / totalSteps * 100, one decimal.'),
    imagesPerSecond: z.number().optional().describe('Throughput of the whole group.'),
    loss: z.number().optional().describe('Latest total training loss reported by rank 0.'),
    etaSeconds: z.int().optional().describe('Estimated seconds until the stage ends.'),
    summary: z.string().describe('Percent for the PROGRESS column, e.g. "42%".'),
  })
  .describe('Latest progress reported by the ranks of the current stage.');

export const checkpointRefSchema = z
  .object({
    uri: z.string().describe('S3 URI of the checkpoint directory.'),
    stage: z.enum(jobStages),
    step: z.int(),
    time,
  })
  .describe('The latest complete checkpoint (its latest.json was written).');

export const resultsSchema = z
  .object({
    AP: z.number(),
    AP50: z.number().optional(),
    AP75: z.number().optional(),
    APs: z.number().optional(),
    APm: z.number().optional(),
    APl: z.number().optional(),
    APr: z.number().optional().describe('AP on rare categories (1-10 training images).'),
    APc: z.number().optional().describe('AP on common categories (11-100).'),
    APf: z.number().optional().describe('AP on frequent categories (>100).'),
    uri: z.string().describe('S3 URI of metrics.json.'),
  })
  .describe('LVIS bbox AP from the evaluate stage, as fractions in [0, 1] rounded to 4 places.');

export const baclJobStatusSchema = z
  .object({
    conditions: z
      .array(conditionSchema)
      .optional()
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
    observedGeneration: z.int().optional().describe('The .metadata.generation this status was computed for.'),
    state: z.enum(jobStates).optional().describe('One-word summary of the conditions, for the STATE column.'),
    stage: z.enum(jobStages).optional().describe('The stage running now (or the last one, once finished).'),
    attempt: z.int32().optional().describe('Restart generation of the current group (BACL_ATTEMPT).'),
    restarts: z
      .int32()
      .optional()
      .describe('Group restarts after failures so far, counted against backoffLimit.'),
    workers: workersSchema.optional(),
    progress: progressSchema.optional(),
    lastCheckpoint: checkpointRefSchema.optional(),
    results: resultsSchema.optional(),
    startTime: time.optional().describe('When the job (last) started running; reset by a resume.'),
    completionTime: time.optional().describe('When the job succeeded or failed.'),
  })
  .describe('Observed state, written by the operator.');

export type BaclJobStatus = z.infer<typeof baclJobStatusSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ConditionType = (typeof jobConditionTypes)[number];
export type JobState = (typeof jobStates)[number];
export type Workers = z.infer<typeof workersSchema>;
export type Progress = z.infer<typeof progressSchema>;
export type CheckpointRef = z.infer<typeof checkpointRefSchema>;
export type Results = z.infer<typeof resultsSchema>;
