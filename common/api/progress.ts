import { z } from 'zod';
import { jobStages } from './stages.js';
import { resultsSchema } from './status.js';

// What the ranks tell the operator while a job runs, and what the evaluate stage leaves behind. Both sides
// (worker/ publishes, operator/ subscribes and reads) use these schemas, so a format change breaks the build
// on both, not a running job. docs/adr/0012-operator-runtime.md says why progress travels over NATS and the
// metrics through S3.

/**
 * `bacl.<ns>.<job>`: every subject a job's pods use lies under it (collectives, progress, request/reply inboxes),
 * which is what the job's minted NATS user may touch (`<root>.>`, ADR 0038).
 */
export function jobSubjectRoot(namespace: string, job: string): string {
  return `bacl.${namespace}.${job}`;
}

/**
 * `bacl.<ns>.<job>._INBOX`: the job's connections' inbox prefix (nats.js `inboxPrefix`) instead of `_INBOX`, so
 * replies to a job stay under its root, where no other job may subscribe.
 */
export function jobInboxPrefix(namespace: string, job: string): string {
  return `${jobSubjectRoot(namespace, job)}._INBOX`;
}

/**
 * `bacl.<ns>.<job>.<attempt>.progress` (shared/design.md). The attempt in the subject, not in the message,
 * says which group spoke: a dead group's late message can never pass for the current one's.
 */
export function progressSubject(namespace: string, job: string, attempt: number | '*'): string {
  return `${jobSubjectRoot(namespace, job)}.${attempt}.progress`;
}

/** Reads `<ns>`, `<job>` and `<attempt>` back from a progress subject; undefined for any other subject. */
export function parseProgressSubject(
  subject: string,
): { namespace: string; job: string; attempt: number } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 5 || parts[0] !== 'bacl' || parts[4] !== 'progress') return undefined;
  const attempt = Number(parts[3]);
  if (!Number.isInteger(attempt) || attempt < 0) return undefined;
  return { namespace: parts[1] ?? '', job: parts[2] ?? '', attempt };
}

const stage = z.enum(jobStages);

/** Rank 0's periodic report of where the stage is (published every few seconds, never acknowledged). */
export const progressMessageSchema = z.object({
  kind: z.literal('progress'),
  stage,
  epoch: z.int().nonnegative().optional(),
  step: z
    .int()
    .nonnegative()
    .describe(
      'Optimizer steps done in this stage; in the evaluate stage, val images the ranks have inferred.',
    ),
  totalSteps: z
    .int()
    .nonnegative()
    .describe("Optimizer steps the stage runs; in the evaluate stage, the val split's images."),
  imagesPerSecond: z.number().nonnegative().optional().describe('Throughput of the whole group.'),
  loss: z.number().optional().describe('Latest total training loss.'),
  etaSeconds: z.number().nonnegative().optional(),
});

/** Rank 0 wrote a complete checkpoint (its `latest.json` is in place); published after the S3 write. */
export const checkpointMessageSchema = z.object({
  kind: z.literal('checkpoint'),
  stage,
  step: z.int().nonnegative(),
  uri: z.string().startsWith('s3://').describe('S3 URI of the checkpoint directory.'),
  time: z.iso.datetime(),
});

export const rankReportSchema = z.discriminatedUnion('kind', [
  progressMessageSchema,
  checkpointMessageSchema,
]);

export type ProgressMessage = z.infer<typeof progressMessageSchema>;
export type CheckpointMessage = z.infer<typeof checkpointMessageSchema>;
export type RankReport = z.infer<typeof rankReportSchema>;

/** `<run prefix>/eval/metrics.json`, written by the evaluate stage once, after detections.json. */
export const metricsObjectPath = 'eval/metrics.json';

/** metrics.json: LVIS bbox AP as fractions in [0, 1]; the operator adds the object's URI in status.results. */
export const evaluationMetricsSchema = resultsSchema.omit({ uri: true });
export type EvaluationMetrics = z.infer<typeof evaluationMetricsSchema>;
