import { jobStages, type BaclJobStatus, type CheckpointRef, type Results } from '../../common/index.js';
import type { Observed } from './types.js';

// Folds what the ranks report (NATS progress, S3 checkpoints and metrics) into status. Reports from another
// attempt or stage are stale and ignored; the checkpoint never moves backwards.

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export function foldProgress(status: BaclJobStatus, observed: Observed): void {
  const report = observed.progress;
  if (!report || report.attempt !== status.attempt || report.stage !== status.stage) return;
  const percent =
    report.totalSteps > 0 ? Math.min(100, Math.floor((report.step / report.totalSteps) * 1000) / 10) : 0;
  status.progress = {
    stage: report.stage,
    ...(report.epoch === undefined ? {} : { epoch: report.epoch }),
    step: report.step,
    totalSteps: report.totalSteps,
    percent,
    ...(report.imagesPerSecond === undefined ? {} : { imagesPerSecond: round(report.imagesPerSecond, 1) }),
    ...(report.loss === undefined ? {} : { loss: round(report.loss, 4) }),
    ...(report.etaSeconds === undefined ? {} : { etaSeconds: Math.round(report.etaSeconds) }),
    summary: `${Math.floor(percent)}%`,
  };
}

export function foldCheckpoint(status: BaclJobStatus, observed: Observed): void {
  const latest = observed.checkpoint;
  if (latest && isNewer(latest, status.lastCheckpoint)) status.lastCheckpoint = latest;
}

function isNewer(candidate: CheckpointRef, current: CheckpointRef | undefined): boolean {
  if (!current) return true;
  const order = jobStages.indexOf(candidate.stage) - jobStages.indexOf(current.stage);
  return order > 0 || (order === 0 && candidate.step > current.step);
}

/** LVIS AP as fractions rounded to 4 places: what AP and APR print. */
export function roundResults(results: Results): Results {
  const rounded: Results = { ...results };
  for (const key of ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'APr', 'APc', 'APf'] as const) {
    const value = results[key];
    if (value !== undefined) rounded[key] = round(value, 4);
  }
  return rounded;
}

/** "from checkpoint s3://.../ckpt-1200 (step 1200)" or "from the start of the stage". */
export function checkpointPhrase(status: BaclJobStatus): string {
  const checkpoint = status.lastCheckpoint;
  return checkpoint && checkpoint.stage === status.stage
    ? `from checkpoint ${checkpoint.uri} (step ${checkpoint.step})`
    : 'from the start of the stage';
}
